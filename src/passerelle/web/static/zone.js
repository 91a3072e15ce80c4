// Tell the node the browser's time zone (a cookie), so that pages show dates in it.
(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || document.cookie.indexOf("passerelle_tz=" + encodeURIComponent(zone)) >= 0) {
    return;
  }
  document.cookie = "passerelle_tz=" + encodeURIComponent(zone) +
    "; path=/; max-age=31536000; SameSite=Strict; Secure";
})();
