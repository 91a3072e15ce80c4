// Forms that update the page's content in place (htmx; macros.html's in_place): a refusal
// (4xx) replaces the content too, as the reloaded page would have shown it; and when the
// control that had the focus is gone (a lifecycle button that no longer applies), the
// focus goes to what the change is about ([data-focus-after-swap]) or the page's heading,
// not to the top of the page. Without scripts the forms post and the page reloads.
(function () {
  "use strict";
  var IN_PLACE = "form[hx-select='#main']";
  var swapped = false;

  document.addEventListener("htmx:beforeSwap", function (event) {
    // The element that made the request (the form), not the target swapped.
    var asked = event.detail.requestConfig;
    var form = asked && asked.elt;
    if (!form || !form.matches || !form.matches(IN_PLACE)) {
      return;
    }
    swapped = true;
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!swapped) {
      return;
    }
    swapped = false;
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) {
      return;
    }
    var main = document.getElementById("main");
    var target = main && (main.querySelector("[data-focus-after-swap]") || main.querySelector("h1"));
    if (target) {
      if (!target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
  });
})();
