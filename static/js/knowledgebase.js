/* Knowledge base: the agents' article picker and the admin's live Markdown preview. No inline scripts (CSP). */
(function () {
  "use strict";

  /* Insert `text` at the caret of a textarea (or at its end), keeping the undo history where the browser can. */
  function insertAtCaret(field, text) {
    field.focus();
    var start = typeof field.selectionStart === "number" ? field.selectionStart : field.value.length;
    var end = typeof field.selectionEnd === "number" ? field.selectionEnd : field.value.length;
    var before = field.value.slice(0, start);
    var spacer = before && !/\s$/.test(before) ? " " : "";
    var insertion = spacer + text;
    if (!document.execCommand || !document.execCommand("insertText", false, insertion)) {
      field.value = before + insertion + field.value.slice(end);
    }
    var caret = start + insertion.length;
    field.setSelectionRange(caret, caret);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  /* Picker: a click on [data-kb-insert] puts its Markdown link into the textarea named by the closest
     [data-kb-picker-target] (a CSS selector), looked up in the same form first, then in the document. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-insert]");
    if (!button) {
      return;
    }
    var box = button.closest("[data-kb-picker-target]");
    var selector = (box && box.getAttribute("data-kb-picker-target")) || "textarea[name=body]";
    var form = button.closest("form");
    var field = (form && form.querySelector(selector)) || document.querySelector(selector);
    if (field) {
      event.preventDefault();
      insertAtCaret(field, button.getAttribute("data-kb-insert"));
    }
  });

  /* Admin: a "Preview" button under every .kb-markdown-input renders the unsaved text through the server's
     sanitiser (POST to data-preview-url) and shows it below. */
  function initAdminPreview() {
    document.querySelectorAll("textarea.kb-markdown-input[data-preview-url]").forEach(function (area) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button kb-preview-button";
      button.textContent = area.getAttribute("data-preview-label") || "Preview";
      var output = document.createElement("div");
      output.className = "kb-preview kb-preview-live";
      output.hidden = true;
      var tools = document.createElement("div");
      tools.className = "kb-preview-tools";
      tools.appendChild(button);
      tools.appendChild(output);
      /* After the admin's label+field row (a flex container), so the preview gets the full width. */
      var row = area.closest(".flex-container") || area;
      row.insertAdjacentElement("afterend", tools);
      button.addEventListener("click", function () {
        var form = area.closest("form");
        var token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
        var body = new URLSearchParams();
        body.append("body", area.value);
        fetch(area.getAttribute("data-preview-url"), {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": token ? token.value : "" },
          body: body
        })
          .then(function (response) {
            if (!response.ok) {
              throw new Error(String(response.status));
            }
            return response.text();
          })
          .then(function (html) {
            output.innerHTML = html; /* sanitised by the server (nh3) */
            output.hidden = false;
          })
          .catch(function () {
            output.textContent = area.getAttribute("data-preview-error") || "Preview failed.";
            output.hidden = false;
          });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAdminPreview);
  } else {
    initAdminPreview();
  }
})();
