/* Attach the vendored Jalali date picker (static/vendor/jalalidatepicker) to inputs with data-jdp:
 * helpdesk.widgets.JalaliDateInput (data-jdp-only-date) and JalaliDateTimeInput.
 * Optional: without this file or the picker, the fields are plain text inputs that accept typed dates
 * in Persian, Arabic or Latin digits. The picker reads and writes Latin digits, so on a Persian page the
 * value is switched to Latin digits while the field has focus and back to Persian digits after a change. */
(function () {
  "use strict";
  var picker = window.jalaliDatepicker;
  if (!picker) {
    return;
  }
  var PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
  var ARABIC = "٠١٢٣٤٥٦٧٨٩";
  var persianPage = (document.documentElement.getAttribute("lang") || "").toLowerCase().indexOf("fa") === 0;

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
    return element && element.matches && element.matches("input[data-jdp]");
  }

  // Capture phase: runs before the picker's own focusin handler reads the value.
  document.addEventListener(
    "focusin",
    function (event) {
      if (isDateField(event.target)) {
        event.target.value = toLatin(event.target.value);
      }
    },
    true
  );

  if (persianPage) {
    var showPersian = function (event) {
      if (isDateField(event.target) && document.activeElement !== event.target) {
        event.target.value = toPersian(event.target.value);
      }
    };
    document.addEventListener("focusout", showPersian, true);
    document.addEventListener("jdp:change", showPersian, true);
  }

  picker.startWatch({
    time: true,
    hasSecond: false,
    persianDigits: persianPage,
    autoReadOnlyInput: false,
    separatorChars: { date: "/", between: " ", time: ":" },
  });
})();
