// The distribution point: scan the card's QR code with the camera (Chromium's
// BarcodeDetector where it has one, else the vendored jsQR, loaded only then), and work
// with no network: the households due at this point are kept on the device, a household
// is found and shown from them, and hand-overs go into the offline queue (offline.js),
// sent oldest first when the network returns. A hand-over made elsewhere meanwhile comes
// back as a conflict, listed under the queue, and nothing is lost.
(function () {
  "use strict";
  var script = document.getElementById("aid-script");
  var point = script.dataset.point, DUE = "aidDue:" + point, GIVEN = "aidGiven:" + point;
  var strings = JSON.parse(document.getElementById("aid-strings").textContent);
  var find = document.getElementById("aid-find"), q = document.getElementById("aid-q");
  var video = document.getElementById("aid-camera"), scanning = null;

  // --- The card's code, from the camera -------------------------------------------
  function loadJsQR() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = script.dataset.jsqr;
      tag.onload = function () { resolve(window.jsQR); };
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function detector() {
    if ("BarcodeDetector" in window) {
      return BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") === -1) throw new Error("no qr_code");
        var found = new BarcodeDetector({ formats: ["qr_code"] });
        return function () {
          return found.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        };
      }).catch(jsQRDetector);
    }
    return jsQRDetector();
  }

  function jsQRDetector() {
    return loadJsQR().then(function (jsQR) {
      var canvas = document.createElement("canvas"), context = canvas.getContext("2d", { willReadFrequently: true });
      return function () {
        if (!video.videoWidth) return Promise.resolve(null);
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(code ? code.data : null);
      };
    });
  }

  function stopCamera() {
    if (scanning) { clearTimeout(scanning.timer); scanning.stream.getTracks().forEach(function (t) { t.stop(); }); }
    scanning = null; video.hidden = true;
  }

  function startCamera() {
    if (scanning) return stopCamera();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return say(strings.noCamera);
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream; video.hidden = false;
      scanning = { stream: stream };
      return video.play().then(detector).then(function (detect) {
        (function look() {
          if (!scanning) return;
          detect().then(function (text) {
            if (text && /^\s*REFUGE:HH:/i.test(text)) { stopCamera(); q.value = text.trim(); submitFind(); }
            else if (scanning) scanning.timer = setTimeout(look, 120);
          });
        })();
      });
    }).catch(function () { stopCamera(); say(strings.noCamera); });
  }

  function say(text) {
    var problem = document.querySelector("[data-testid=aid-problem]");
    if (!problem) {
      problem = document.createElement("p");
      problem.className = "error"; problem.setAttribute("role", "alert"); problem.dataset.testid = "aid-problem";
      find.after(problem);
    }
    problem.textContent = text;
  }

  document.getElementById("aid-scan").addEventListener("click", startCamera);
  document.addEventListener("keydown", function (event) {
    if (event.key === "F2") { event.preventDefault(); startCamera(); }
    if (event.key === "Escape" && scanning) stopCamera();
    // Alt+P, as the page says, prints the receipt of the hand-over just made: the link's
    // accesskey alone is not honoured in every browser (as at the desk).
    var receipt = document.querySelector("[data-testid=aid-done] a[accesskey=p]");
    if (receipt && event.altKey && (event.key === "p" || event.key === "P" || event.code === "KeyP")) {
      event.preventDefault();
      window.location.assign(receipt.href);
    }
  });

  // --- The households due at this point, kept for when the network goes ------------
  function refreshDue() {
    if (!navigator.onLine) return Promise.resolve();
    return RefugeQueue.meta(DUE).then(function (saved) {
      if (saved && Date.now() - saved.at < 300000) return;
      var households = [];
      function next(cursor) {
        var url = "/api/aid/points/" + encodeURIComponent(point) + "/due" + (cursor ? "?cursor=" + encodeURIComponent(cursor) : "");
        return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
          .then(function (answer) {
            if (!answer) return;
            households = households.concat(answer.households);
            if (answer.next_cursor) return next(answer.next_cursor);
            return RefugeQueue.meta(DUE, { at: Date.now(), households: households });
          });
      }
      return next(null);
    }).catch(function () { /* the network went: the list kept before serves */ });
  }

  function plain(text) { return (text || "").toUpperCase().replace(/[^0-9A-Z]/g, ""); }

  function findLocally(text) {
    return Promise.all([RefugeQueue.meta(DUE), RefugeQueue.meta(GIVEN)]).then(function (r) {
      var saved = r[0], given = r[1] || [];
      if (!saved) return null;
      var card = /REFUGE:HH:([0-9A-F-]{36})/i.exec(text), wanted = plain(text);
      var household = saved.households.find(function (h) {
        return card ? h.uuid.toLowerCase() === card[1].toLowerCase() : plain(h.number) === wanted;
      });
      return household ? { household: household, given: given } : null;
    });
  }

  function cell(row, text, className) {
    var td = document.createElement("td"); td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function showLocally(found) {
    var section = document.getElementById("aid-household"), h = found.household;
    section.textContent = "";
    var heading = document.createElement("h2"); heading.textContent = h.number; section.appendChild(heading);
    var due = h.due.filter(function (e) { return found.given.indexOf(e.uuid) === -1; });
    var table = document.createElement("table"); table.className = "aid-members";
    h.members.forEach(function (m) {
      var row = document.createElement("tr");
      cell(row, m.name); cell(row, m.born || "");
      cell(row, due.filter(function (e) { return e.person === m.uuid; })
        .map(function (e) { return e.programme + " · " + e.amount.toLocaleString() + " " + e.unit; }).join("; ") || "—");
      table.appendChild(row);
    });
    section.appendChild(table);
    if (!due.length) {
      var already = document.createElement("p");
      already.className = "already"; already.dataset.testid = "aid-already"; already.setAttribute("role", "status");
      already.textContent = strings.waitingHere;
      section.appendChild(already);
      q.value = ""; q.focus();
      return;
    }
    var form = document.createElement("form");
    form.method = "post"; form.action = "/aid/"; form.id = "aid-hand-over";
    var fields = [["uuid", uuid4()], ["household", h.uuid], ["at", ""], ["label", h.number]]
      .concat(due.map(function (e) { return ["entitlements", e.uuid]; }));
    fields.forEach(function (pair) {
      var input = document.createElement("input"); input.type = "hidden";
      input.name = pair[0]; input.value = pair[1]; form.appendChild(input);
    });
    var label = document.createElement("label"); label.textContent = strings.receivedBy + " ";
    var select = document.createElement("select"); select.name = "received_by";
    h.members.forEach(function (m) {
      var option = document.createElement("option"); option.value = m.uuid; option.textContent = m.name;
      option.selected = m.uuid === due[0].recipient; select.appendChild(option);
    });
    label.appendChild(select); form.appendChild(label);
    var button = document.createElement("button"); button.type = "submit"; button.className = "primary";
    button.dataset.testid = "aid-hand-over"; button.textContent = strings.handOver + " (Enter)";
    form.appendChild(button);
    form.addEventListener("submit", function (event) { remember(event, form); });
    section.appendChild(form);
    button.focus();
  }

  function uuid4() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var x = Array.prototype.map.call(b, function (v) { return (v + 256).toString(16).slice(1); }).join("");
    return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" + x.slice(16, 20) + "-" + x.slice(20);
  }

  // When it was handed over, not when it reached the server.
  function stamp(form) { form.querySelector("input[name=at]").value = new Date().toISOString(); }

  function submitFind() {
    if (navigator.onLine) return find.submit();
    findLocally(q.value).then(function (found) {
      if (found) showLocally(found); else say(strings.notListed);
    });
  }

  find.addEventListener("submit", function (event) {
    if (navigator.onLine) return;
    event.preventDefault();
    submitFind();
  });
  // Before a hand-over is sent: when it happened, and what it gave, kept on the device
  // (in case the network is gone, a second scan here then knows), then sent.
  function remember(event, form) {
    if (form.dataset.remembered) return;
    event.preventDefault();
    stamp(form);
    var given = Array.prototype.map.call(form.querySelectorAll("input[name=entitlements]"), function (i) { return i.value; });
    RefugeQueue.meta(GIVEN).then(function (saved) { return RefugeQueue.meta(GIVEN, (saved || []).concat(given)); })
      .catch(function () {}).then(function () { form.dataset.remembered = "1"; form.submit(); });
  }
  var handOver = document.getElementById("aid-hand-over");
  if (handOver) handOver.addEventListener("submit", function (event) { remember(event, handOver); });
  refreshDue();
  setInterval(refreshDue, 300000);
})();
