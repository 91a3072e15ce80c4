"""Keys under which watches and correlation meet: names and observables."""
