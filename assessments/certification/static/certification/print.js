// The certificate page's print button. The page's Content-Security-Policy forbids inline handlers, so the
// click is wired here; the button's wrapper stays hidden until this script runs (without scripts the
// browser's own print command still works, and a button that did nothing would only confuse).
(function () {
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
    const wrapper = button.closest("[hidden]");
    if (wrapper) wrapper.hidden = false;
  });
})();
