// Starts each SCORM block: asks the site for the learner's attempt (launch), gives scorm-again the CMI data
// to resume from and the URL its commits go to, then loads the package's launch file in the frame.
(function () {
  "use strict";

  function start(player) {
    var token = player.querySelector("input[name=csrfmiddlewaretoken]").value;
    var status = player.querySelector("[data-scorm-status]");
    var frame = player.querySelector("iframe");
    fetch(player.dataset.scormLaunch, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token },
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
          alwaysSendTotalTime: true,
          logLevel: 5,
        };
        var api;
        if (launch.version === "1.2") {
          api = new window.Scorm12API(settings);
          window.API = api;
        } else {
          api = new window.Scorm2004API(settings);
          window.API_1484_11 = api;
        }
        api.loadFromJSON(launch.cmi);
        status.textContent = status.dataset.ready;
        frame.hidden = false;
        frame.src = launch.content_url;
      })
      .catch(function () {
        status.textContent = status.dataset.failed;
      });
  }

  document.querySelectorAll("[data-scorm-launch]").forEach(start);
})();
