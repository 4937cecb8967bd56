/* DX assessment XBlocks: the learner's form (dx_question, dx_quiz) and the studio editor.
 *
 * Plain JavaScript (no jQuery needed). The runtime gives handler URLs through runtime.handlerUrl();
 * POSTs carry the Django CSRF token from the "csrftoken" cookie (or a csrfmiddlewaretoken input).
 * Nothing here knows an answer key: the server grades and sends back the block's new HTML.
 */
(function (global) {
  "use strict";
  if (global.DxAssessmentBlock) {
    return; // the script is inlined once per block; define it once
  }

  function rootOf(element) {
    return element && element.jquery ? element[0] : element;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function postJson(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
        "X-Requested-With": "XMLHttpRequest"
      },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function newId() {
    if (global.crypto && global.crypto.randomUUID) {
      return global.crypto.randomUUID();
    }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function checkedValues(fieldset) {
    var inputs = fieldset.querySelectorAll("input:checked");
    return Array.prototype.map.call(inputs, function (input) {
      return input.value;
    });
  }

  /* The learner's response to one question, in the shape dx_assessment.grading expects. */
  function readQuestion(fieldset, strings) {
    var type = fieldset.getAttribute("data-dx-type");
    var picked = checkedValues(fieldset);
    var selects = fieldset.querySelectorAll("select");
    var text = fieldset.querySelector("input[type=text]");
    switch (type) {
      case "single_choice":
        return { answered: picked.length === 1, value: picked[0] };
      case "true_false":
        return { answered: picked.length === 1, value: picked[0] === "true" };
      case "multiple_response":
        return { answered: picked.length > 0, value: picked };
      case "numeric":
      case "short_text":
        return { answered: text.value.trim() !== "", value: text.value };
      case "ordering":
        return readOrder(selects, strings);
      case "matching":
        var matches = {};
        var any = false;
        Array.prototype.forEach.call(selects, function (select) {
          matches[select.getAttribute("data-dx-left")] = select.value || null;
          any = any || select.value !== "";
        });
        return { answered: any, value: matches };
    }
    return { answered: false, value: null };
  }

  function readOrder(selects, strings) {
    var placed = [];
    var used = {};
    var complete = true;
    var clash = false;
    Array.prototype.forEach.call(selects, function (select) {
      if (select.value === "") {
        complete = false;
        return;
      }
      clash = clash || used[select.value];
      used[select.value] = true;
      placed.push({ place: Number(select.value), id: select.getAttribute("data-dx-item") });
    });
    if (clash) {
      return { answered: true, error: strings.places };
    }
    placed.sort(function (a, b) {
      return a.place - b.place;
    });
    return {
      answered: complete,
      value: placed.map(function (entry) {
        return entry.id;
      })
    };
  }

  global.DxAssessmentBlock = function (runtime, element, args) {
    var root = rootOf(element);
    var strings = (args && args.strings) || {};
    var quiz = args && args.kind === "quiz";
    var url = runtime.handlerUrl(element, "submit");
    var body = root.querySelector(".dx-body");
    var live = root.querySelector(".dx-live");
    var last = { json: null, id: null };
    var busy = false;

    function bind() {
      var form = body.querySelector(".dx-form");
      if (form) {
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          submit(form);
        });
      }
    }

    function submit(form) {
      if (busy) {
        return;
      }
      var error = form.querySelector(".dx-error");
      var button = form.querySelector(".dx-submit");
      error.textContent = "";
      var responses = [];
      var problem = null;
      Array.prototype.forEach.call(form.querySelectorAll("fieldset.dx-question"), function (fieldset) {
        var read = readQuestion(fieldset, strings);
        if (read.error || (!quiz && !read.answered)) {
          problem = problem || read.error || strings.unanswered;
        }
        responses.push(read.answered ? read.value : null);
      });
      if (problem) {
        error.textContent = problem;
        return;
      }
      var payload = quiz ? { responses: responses } : { response: responses[0] };
      var json = JSON.stringify(payload);
      if (json !== last.json) {
        last = { json: json, id: newId() };
      }
      payload.submission_id = last.id;
      busy = true;
      if (button) {
        button.disabled = true;
      }
      live.textContent = strings.submitting || "";
      postJson(url, payload).then(
        function (reply) {
          busy = false;
          if (!reply.ok) {
            error.textContent = reply.data.error || strings.network;
            live.textContent = "";
            if (button) {
              button.disabled = false;
            }
            return;
          }
          body.innerHTML = reply.data.html;
          bind();
          live.textContent = reply.data.summary || "";
          var result = body.querySelector(".dx-result[tabindex]");
          if (result) {
            result.focus();
          }
        },
        function () {
          busy = false;
          error.textContent = strings.network;
          live.textContent = "";
          if (button) {
            button.disabled = false;
          }
        }
      );
    }

    bind();
    return {};
  };

  global.DxAssessmentStudio = function (runtime, element, args) {
    var root = rootOf(element);
    var form = root.querySelector("form.dx-studio");
    var strings = (args && args.strings) || {};
    var templates = (args && args.templates) || {};
    var error = form.querySelector(".dx-error");
    var live = form.querySelector(".dx-live");
    var notify = function (name, data) {
      if (runtime.notify) {
        runtime.notify(name, data);
      }
    };

    form.querySelector(".dx-template-apply").addEventListener("click", function () {
      var select = form.querySelector(".dx-template select");
      var area = form.querySelector("[data-dx-kind=json]");
      if (select.value && templates[select.value]) {
        area.value = templates[select.value];
        area.focus();
      }
    });

    form.querySelector(".dx-cancel").addEventListener("click", function () {
      notify("cancel", {});
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var payload = {};
      Array.prototype.forEach.call(form.querySelectorAll("[data-dx-kind]"), function (input) {
        input.removeAttribute("aria-invalid");
        var kind = input.getAttribute("data-dx-kind");
        if (kind === "checkbox") {
          payload[input.name] = input.checked;
        } else if (kind === "number") {
          payload[input.name] = input.value.trim() === "" ? null : input.value.trim();
        } else {
          payload[input.name] = input.value;
        }
      });
      error.textContent = "";
      live.textContent = strings.saving || "";
      notify("save", { state: "start", message: strings.saving });
      postJson(runtime.handlerUrl(element, "studio_submit"), payload).then(
        function (reply) {
          if (reply.ok) {
            live.textContent = strings.saved || "";
            notify("save", { state: "end" });
            return;
          }
          live.textContent = "";
          notify("error", { title: strings.problems, message: reply.data.error || strings.network });
          showProblems(reply.data);
        },
        function () {
          live.textContent = "";
          error.textContent = strings.network;
        }
      );
    });

    function showProblems(data) {
      var list = document.createElement("ul");
      (data.problems || []).forEach(function (problem) {
        var item = document.createElement("li");
        var known = /^[a-z_]+$/.test(problem.field || "");
        var input = known ? form.querySelector("[name='" + problem.field + "']") : null;
        var label = input ? form.querySelector("label[for='" + input.id + "']") : null;
        item.textContent = (label ? label.textContent + ": " : "") + problem.message;
        list.appendChild(item);
        if (input) {
          input.setAttribute("aria-invalid", "true");
        }
      });
      var heading = document.createElement("p");
      heading.textContent = data.error || strings.network;
      error.appendChild(heading);
      error.appendChild(list);
      error.focus();
    }

    return {};
  };
})(window);
