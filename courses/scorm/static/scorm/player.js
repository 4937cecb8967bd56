// Starts each SCORM block: asks the site for the learner's attempt at one SCO (launch), gives scorm-again
// the CMI data to resume from and the URL its commits go to, then loads the SCO's launch file in the
// frame. A package of several SCOs has a table of contents: choosing an item there, or a SCORM 2004 SCO's
// navigation request (adl.nav.request: continue, previous, choice, jump, exit, exitAll, abandon,
// abandonAll), ends the current SCO's session and opens the next one in the organisation's order.
(function () {
  "use strict";

  function start(player) {
    var token = player.querySelector("input[name=csrfmiddlewaretoken]").value;
    var status = player.querySelector("[data-scorm-status]");
    var frame = player.querySelector("iframe");
    var title = frame.title;
    var links = Array.prototype.slice.call(player.querySelectorAll("a[data-scorm-item]"));
    var order = links.map(function (link) {
      return link.dataset.scormItem;
    });
    var api = null;
    var version = null;
    var current = null;
    var busy = false;

    function say(text) {
      status.textContent = text;
    }

    function linkFor(identifier) {
      return links.filter(function (link) {
        return link.dataset.scormItem === identifier;
      })[0];
    }

    function mark(states) {
      Object.keys(states).forEach(function (identifier) {
        var link = linkFor(identifier);
        var label = link && link.parentNode.querySelector("[data-scorm-state]");
        var text = player.dataset["state" + states[identifier].charAt(0).toUpperCase() + states[identifier].slice(1)];
        if (label && text) label.textContent = text;
      });
    }

    function markCurrent() {
      links.forEach(function (link) {
        if (link.dataset.scormItem === current) link.setAttribute("aria-current", "page");
        else link.removeAttribute("aria-current");
      });
      var link = linkFor(current);
      frame.title = link ? title + " — " + link.textContent : title;
    }

    // The frame emptied (its SCO's unload handlers run first: most call LMSFinish / Terminate themselves).
    function unload() {
      return new Promise(function (resolve) {
        if (!frame.getAttribute("src") || frame.getAttribute("src") === "about:blank") return resolve();
        frame.addEventListener("load", function loaded() {
          frame.removeEventListener("load", loaded);
          resolve();
        });
        frame.src = "about:blank";
      });
    }

    // Ends the session of a SCO that did not end it itself (the learner chose another item), as an LMS does.
    function retire(old) {
      if (!old) return;
      old.dxRetired = true;
      try {
        if (old.isInitialized() && !old.isTerminated()) {
          if (version === "1.2") old.LMSFinish("");
          else old.Terminate("");
        }
      } catch (error) {
        // the SCO's data was committed at its last commit
      }
    }

    function close(message) {
      return unload().then(function () {
        retire(api);
        api = null;
        frame.hidden = true;
        say(message);
      });
    }

    function open(identifier) {
      if (busy) return Promise.resolve();
      busy = true;
      return unload()
        .then(function () {
          retire(api);
          var body = new FormData();
          body.append("item", identifier);
          return fetch(player.dataset.scormLaunch, {
            method: "POST",
            credentials: "same-origin",
            headers: { "X-CSRFToken": token },
            body: body,
          });
        })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (launch) {
          var settings = {
            autocommit: true,
            autocommitSeconds: 5,
            lmsCommitUrl: launch.commit_url,
            xhrHeaders: { "X-CSRFToken": token },
            // a SCO's last commit (at LMSFinish / Terminate) goes by navigator.sendBeacon, without headers:
            // the token travels in the body too, where the commit view looks for it
            requestHandler: function (commit) {
              commit.csrfmiddlewaretoken = token;
              return commit;
            },
            alwaysSendTotalTime: true,
            logLevel: 5,
          };
          version = launch.version;
          var fresh;
          if (version === "1.2") {
            fresh = new window.Scorm12API(settings);
            window.API = fresh;
          } else {
            fresh = new window.Scorm2004API(settings);
            window.API_1484_11 = fresh;
          }
          fresh.loadFromJSON(launch.cmi);
          listen(fresh, launch.cmi);
          api = fresh;
          current = launch.item;
          mark(launch.states);
          markCurrent();
          if (links.length) {
            window.history.replaceState(null, "", "?sco=" + encodeURIComponent(current));
          }
          say(status.dataset.ready);
          frame.hidden = false;
          frame.src = launch.content_url;
        })
        .catch(function (error) {
          window.console.error("SCORM launch failed: " + error + " " + (error && error.stack));
          say(status.dataset.failed);
        })
        .then(function () {
          busy = false;
        });
    }

    // What the SCO reports, shown in the table of contents at once (the server keeps its own record).
    function listen(fresh, cmi) {
      var completion = cmi.completion_status || (cmi.core && cmi.core.lesson_status) || "";
      var success = cmi.success_status || "unknown";
      function show() {
        var state = { [current]: "started" };
        if (success === "failed") state[current] = "failed";
        else if (completion === "completed" || completion === "passed") state[current] = "finished";
        mark(state);
      }
      fresh.on("LMSSetValue.cmi.core.lesson_status", function (element, value) {
        completion = value;
        success = value === "failed" ? "failed" : "unknown";
        show();
      });
      fresh.on("SetValue.cmi.completion_status", function (element, value) {
        completion = value;
        show();
      });
      fresh.on("SetValue.cmi.success_status", function (element, value) {
        success = value;
        show();
      });
      // SCORM 2004 navigation requests, run after the SCO's Terminate (scorm-again calls these then)
      var requests = {
        SequenceNext: "continue",
        SequencePrevious: "previous",
        SequenceChoice: "choice",
        SequenceJump: "choice",
        SequenceExit: "exit",
        SequenceExitAll: "exit",
        SequenceAbandon: "exit",
        SequenceAbandonAll: "exit",
      };
      Object.keys(requests).forEach(function (name) {
        fresh.on(name, function (target) {
          if (fresh.dxRetired) return;
          window.setTimeout(function () {
            navigate(requests[name], target);
          }, 0);
        });
      });
    }

    function navigate(request, target) {
      var items = order.length ? order : [current];
      var index = items.indexOf(current);
      if (request === "continue") {
        if (index + 1 < items.length) open(items[index + 1]);
        else close(player.dataset.last);
      } else if (request === "previous") {
        if (index > 0) open(items[index - 1]);
        else close(player.dataset.first);
      } else if (request === "choice") {
        if (items.indexOf(target) >= 0) open(target);
        else close(player.dataset.unknown);
      } else {
        close(player.dataset.exited);
      }
    }

    links.forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        open(link.dataset.scormItem);
      });
    });
    open(player.dataset.scormCurrent);
  }

  document.querySelectorAll("[data-scorm-launch]").forEach(start);
})();
