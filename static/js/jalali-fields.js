/* Persian digits in Jalali date fields (helpdesk.widgets.JalaliDateInput), alongside the site-wide date picker.
 *
 * base.html loads the vendored picker and static/js/app.js starts it on every input[data-jdp]. The picker reads
 * and writes Latin digits only, while the field shows Persian digits on a Persian page (۱۴۰۳/۱۲/۳۰). So: while a
 * date field has focus its value is in Latin digits (the picker can read it and opens on that month); when it
 * loses focus or the picker changes it, the value is shown in Persian digits again. The server accepts either.
 * Included through the widget's Media ({{ form.media }}); everything works without it, only less tidily. */
(function () {
  "use strict";
  var PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
  var ARABIC = "٠١٢٣٤٥٦٧٨٩";

  function toLatin(text) {
    return text.replace(/[۰-۹٠-٩]/g, function (digit) {
      var index = PERSIAN.indexOf(digit);
      return String(index >= 0 ? index : ARABIC.indexOf(digit));
    });
  }

  function toPersian(text) {
    return text.replace(/[0-9]/g, function (digit) {
      return PERSIAN.charAt(Number(digit));
    });
  }

  function isDateField(element) {
    return Boolean(element && element.matches && element.matches("input[data-jdp]"));
  }

  function persianPage() {
    return (document.documentElement.getAttribute("lang") || "fa").toLowerCase().indexOf("fa") === 0;
  }

  // Capture phase on document: runs before the picker's own focusin handler (on body) reads the value.
  document.addEventListener(
    "focusin",
    function (event) {
      if (isDateField(event.target)) {
        event.target.value = toLatin(event.target.value);
      }
    },
    true
  );

  function showPersian(event) {
    var input = event.target;
    if (persianPage() && isDateField(input) && document.activeElement !== input) {
      input.value = toPersian(input.value);
    }
  }

  document.addEventListener("focusout", showPersian, true);
  document.addEventListener("change", showPersian, true);
})();
