/* The browser side of the site's XBlock runtime. XBlock's server-side runtime wraps each block in a
 * div with data-init (the block's JS init function) and its JSON args; as Open edX does, call that
 * function with a runtime whose handlerUrl points at our handler view. */
(function () {
  document.querySelectorAll(".site-xblock").forEach(function (host) {
    var element = host.querySelector("[data-init]");
    if (!element) return;
    var init = window[element.getAttribute("data-init")];
    var argsElement = element.querySelector("script.xblock_json_init_args");
    var args = argsElement ? JSON.parse(argsElement.textContent) : {};
    var runtime = {
      handlerUrl: function (_element, handler, suffix, query) {
        return host.getAttribute("data-handler-prefix") + handler + "/" + (suffix || "") + (query ? "?" + query : "");
      }
    };
    if (typeof init === "function") {
      init(runtime, element, args);
    }
  });
})();
