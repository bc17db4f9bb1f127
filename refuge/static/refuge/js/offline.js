// Registrations and tallies kept on this device while the network is down, and sent when
// it returns. The service worker (sw.js) puts a form it could not send here; the desk
// and tally pages show what is waiting and send it, oldest first: households and counts
// and hand-overs to the JSON API. Each record carries
// the UUID its form was given, so one sent twice is stored once.
// Loaded by the pages and, through importScripts, by the service worker; the desk's
// duplicate warning reads names with RefugeNames (reading.js).
var RefugeQueue = (function () {
  "use strict";
  var DB = "refuge-offline", QUEUE = "queue", META = "meta";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(QUEUE, { keyPath: "id", autoIncrement: true });
        request.result.createObjectStore(META);
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode), result;
        Promise.resolve(work(tx.objectStore(store))).then(function (r) { result = r; });
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function request(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  return {
    add: function (item) {
      item.at = item.at || new Date().toISOString();
      item.status = "waiting";
      return run(QUEUE, "readwrite", function (s) { return request(s.add(item)); });
    },
    all: function () {
      return run(QUEUE, "readonly", function (s) { return request(s.getAll()); });
    },
    remove: function (id) {
      return run(QUEUE, "readwrite", function (s) { return request(s.delete(id)); });
    },
    put: function (item) {
      return run(QUEUE, "readwrite", function (s) { return request(s.put(item)); });
    },
    meta: function (key, value) {
      if (value === undefined) {
        return run(META, "readonly", function (s) { return request(s.get(key)); });
      }
      return run(META, "readwrite", function (s) { return request(s.put(value, key)); });
    },
  };
})();

// What a record kept offline is sent as: the JSON API's body, read from the fields its
// form posted. A household's fields are read as refuge.registry.forms' household_payload
// reads them (tested side by side in refuge/registry/tests/test_offline_queue_browser.py),
// and the API registers it through the same service as the desk.
var RefugeBodies = (function () {
  "use strict";
  // `post` and `desk` are the page's, for a record kept before its form carried them.
  var MEMBER_KEY = /^members-(\d+)-(\w+)$/, MAX_ROWS = 60;

  function household(fields, post, desk) {
    var form = {}, rows = {}, joining = "";
    fields.forEach(function (pair) {
      var match = pair[0].match(MEMBER_KEY);
      if (match) {
        (rows[match[1]] = rows[match[1]] || {})[match[2]] = pair[1];
      } else {
        form[pair[0]] = pair[1];
        if (pair[0] === "household" && pair[1]) joining = pair[1];  // the last one chosen
      }
    });
    var text = function (row, name) { return (row[name] || "").trim(); };
    var members = Object.keys(rows).map(Number).sort(function (a, b) { return a - b; })
      .slice(0, MAX_ROWS + 1).map(function (index) { return rows[index]; })
      .filter(function (row) {
        return ["given_name", "family_name", "birth_date", "document_number"]
          .some(function (name) { return text(row, name); });
      }).map(function (row) {
        var member = {};
        ["relationship", "given_name", "family_name", "patronymic", "sex", "birth_date"]
          .forEach(function (name) { member[name] = row[name] || ""; });
        member.needs = (row.needs || "").replace(/,/g, " ").split(/\s+/).filter(Boolean);
        member.documents = text(row, "document_number") ? [{
          kind: row.document_kind || "passport", number: text(row, "document_number") }] : [];
        if (text(row, "same_as")) member.same_as = text(row, "same_as");
        if (text(row, "not_same_as")) member.not_same_as = text(row, "not_same_as").split(/\s+/);
        return member;
      });
    var body = { uuid: form.household_uuid || "", post: form.post || post,
                 desk: form.desk || desk || "", device_id: "web", phone: form.phone || "",
                 origin: form.origin || "", destination: form.destination || "",
                 members: members };
    if (form.accommodation) body.accommodation = form.accommodation;
    if (joining) body.household = joining;
    if (form.registered_on) body.registered_on = form.registered_on;
    return body;
  }

  // A count kept while offline, as the tally form posts it.
  function tally(fields, post) {
    var form = {};
    fields.forEach(function (pair) { form[pair[0]] = pair[1]; });
    var people = (form.people_aboard || "").trim();
    return { uuid: form.uuid || "", post: form.post || post,
             people_aboard: /^[0-9]+$/.test(people) ? Number(people) : people,
             vehicle_ref: form.vehicle_ref || "", note: form.note || "",
             counted_at: form.counted_at || null };
  }

  // A hand-over kept at an aid point while offline, as its form posts it: every
  // entitlement due, who took them, and when (the point is the page's).
  function handOver(fields, post) {
    var form = {}, entitlements = [];
    fields.forEach(function (pair) {
      if (pair[0] === "entitlements") entitlements.push(pair[1]);
      else form[pair[0]] = pair[1];
    });
    var body = { uuid: form.uuid || "", entitlements: entitlements, point: post || "",
                 received_by: form.received_by || "" };
    if (form.at) body.at = form.at;
    return body;
  }

  return { household: household, tally: tally, handOver: handOver };
})();

if (typeof document !== "undefined") (function () {
  "use strict";
  var status = document.getElementById("offline-status");
  if (!status) return;
  var text = status.querySelector("[data-count]"), list = status.querySelector("ul");
  var strings = JSON.parse(document.getElementById("offline-strings").textContent);
  var sending = false, sentHere = false;  // sentHere: this page sent a record kept here

  function uuid4() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  if (/[?&]queued=1/.test(location.search)) {
    document.getElementById("offline-queued").hidden = false;
  }

  // A page served from the cache carries the UUID it was first given: every new form
  // needs its own, or two households entered offline would look like one sent twice.
  var form = document.querySelector("form[data-offline]");
  if (form && !form.querySelector("[aria-invalid=true], .error")) {
    var field = form.querySelector("input[name=" + form.dataset.offline + "]");
    if (field) field.value = uuid4();
  }
  if (form) form.addEventListener("submit", function () {
    var moment = form.querySelector("input[name=counted_at]");
    if (moment) moment.value = new Date().toISOString();  // when it was counted, not sent
  });

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
  }

  function show() {
    return Promise.all([RefugeQueue.all(), RefugeQueue.meta("lastSent"), RefugeQueue.meta("signIn")])
      .then(function (r) {
        var items = r[0], lastSent = r[1], signIn = r[2];
        var waiting = items.filter(function (i) { return i.status === "waiting"; }).length;
        status.dataset.waiting = waiting;
        status.classList.toggle("has-waiting", items.length > 0);
        // Said only while something is kept here, just went out, or cannot go out:
        // with nothing to say the box is not shown at all.
        var parts = [];
        if (items.length || sentHere) {
          parts.push(strings.waiting.replace("%(n)s", waiting));
          if (lastSent) parts.push(strings.lastSent.replace("%(time)s", time(lastSent)));
        }
        if (!navigator.onLine) parts.push(strings.offline);
        if (signIn && waiting) parts.push(strings.signIn);
        text.textContent = parts.join(" · ");
        status.hidden = !parts.length;
        list.textContent = "";
        items.forEach(function (item) {
          var li = document.createElement("li");
          li.textContent = time(item.at) + " · " + (item.label || "") + " · " +
            (item.status === "waiting" ? strings.waitingOne : item.error);
          if (item.status !== "waiting") {
            li.className = "error";
            var open = document.createElement("button");
            open.type = "button";
            open.textContent = strings.open;
            open.addEventListener("click", function () { reopen(item); });
            li.appendChild(document.createTextNode(" "));
            li.appendChild(open);
          }
          list.appendChild(li);
        });
      });
  }

  // A record the server refused goes back into its form, posted as it was typed, so the
  // registrar sees the errors next to the fields and corrects them.
  function reopen(item) {
    var post = document.createElement("form");
    post.method = "post";
    post.action = item.path;
    item.fields.concat([["csrfmiddlewaretoken", cookie("csrftoken")]]).forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
      post.appendChild(input);
    });
    document.body.appendChild(post);
    RefugeQueue.remove(item.id).then(function () { post.submit(); });
  }

  // Redrawn at most twice a second while hundreds of records go out.
  var redraw = null;
  function showSoon() {
    if (!redraw) redraw = setTimeout(function () { redraw = null; show(); }, 500);
  }

  // Households, counts and hand-overs go to the JSON API (POST /api/households,
  // /api/tallies, /api/aid/distributions), whose services are the screens' own.
  var API = { "/desk/": ["/api/households", RefugeBodies.household],
              "/tally/": ["/api/tallies", RefugeBodies.tally],
              "/aid/": ["/api/aid/distributions", RefugeBodies.handOver] };

  function post(item) {
    var json = API[item.path][1](item.fields, status.dataset.post, status.dataset.desk);
    return fetch(API[item.path][0], {
      method: "POST", body: JSON.stringify(json), credentials: "same-origin",
      headers: { "X-CSRFToken": cookie("csrftoken"), "Content-Type": "application/json" },
    });
  }

  // "Row 2 · Born: 2031 is in the future": which field the server refused, in words.
  function named(error) {
    var match = /^members\[(\d+)\]\.(.+)$/.exec(error.field || "");
    var where = match ? strings.row.replace("%(n)s", +match[1] + 1) + " · " +
      (strings.fields[match[2].split(".")[0]] || match[2])
      : strings.fields[error.field] || error.field;
    return (where ? where + ": " : "") + error.message;
  }

  function sendOne(item) {
    return post(item).then(function (response) {
      if (response.status === 201 || response.status === 200) {
        sentHere = true;
        return RefugeQueue.remove(item.id)
          .then(function () { return RefugeQueue.meta("lastSent", new Date().toISOString()); })
          .then(function () { return "sent"; });
      }
      if (response.status === 422 || response.status === 409) {
        return response.json().then(function (answer) {
          item.status = "refused";
          item.error = answer.errors.map(named).join("; ");
          return RefugeQueue.put(item).then(function () { return "refused"; });
        });
      }
      // Refused without a session (it ended), or a server error: try later.
      var signIn = response.status === 401 || response.status === 403;
      return RefugeQueue.meta("signIn", signIn).then(function () { return "stop"; });
    });
  }

  function sendWaiting() {
    if (sending || !navigator.onLine) return show();
    sending = true;
    return RefugeQueue.all().then(function (items) {
      var waiting = items.filter(function (i) { return i.status === "waiting"; });
      if (waiting.length) RefugeQueue.meta("signIn", false);
      return waiting.reduce(function (chain, item) {
        return chain.then(function (outcome) {
          if (outcome === "stop") return "stop";
          return sendOne(item).then(function (result) { showSoon(); return result; });
        });
      }, Promise.resolve("start"));
    }).catch(function () { /* the network went again: the rest waits */ })
      .then(function () { sending = false; return show(); });
  }

  function sendWhenAlone() {
    // Two tabs must not send the same records at once.
    if (navigator.locks) return navigator.locks.request("refuge-send", sendWaiting);
    return sendWaiting();
  }

  // Likely duplicates, from the index of people registered at this post and in its
  // province: refreshed every ten minutes while online, used with or without a network.
  var index = null, duplicates = document.getElementById("possible-duplicates");

  function loadIndex() {
    var post = status.dataset.post;
    if (!duplicates || !post) return Promise.resolve();
    return RefugeQueue.meta("nameIndex").then(function (saved) {
      var fresh = saved && saved.post === post && Date.now() - saved.at < 600000;
      if (fresh || !navigator.onLine) return saved;
      return fetch("/api/name-index?post=" + encodeURIComponent(post), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) {
          if (!answer) return saved;
          var record = { post: post, at: Date.now(), entries: answer.entries };
          return RefugeQueue.meta("nameIndex", record).then(function () { return record; });
        })
        .catch(function () { return saved; });
    }).then(function (saved) {
      if (!saved || saved.post !== post) return;
      index = new Map();
      saved.entries.forEach(function (entry) {
        var parts = entry.split("|"), key = parts[0] + "|" + parts[1];
        if (!index.has(key)) index.set(key, []);
        index.get(key).push({ year: parts[2], number: parts[3] });
      });
      checkDuplicates();
    });
  }

  function checkDuplicates() {
    if (!index || !duplicates) return;
    var found = [];
    document.querySelectorAll("#members tr").forEach(function (row) {
      var given = row.querySelector("[data-field=given_name]");
      var family = row.querySelector("[data-field=family_name]");
      if (!given || !family || !given.value.trim() || !family.value.trim()) return;
      var hits = index.get(RefugeNames.searchKey(family.value) + "|" +
                           RefugeNames.searchKey(given.value)) || [];
      hits.slice(0, 3).forEach(function (hit) {
        found.push(given.value.trim() + " " + family.value.trim() + " → " + hit.number +
                   (hit.year ? " (" + strings.born + " " + hit.year + ")" : ""));
      });
    });
    duplicates.hidden = !found.length;
    duplicates.textContent = found.length ? strings.possible + ": " + found.join("; ") : "";
  }

  if (duplicates) {
    document.getElementById("members").addEventListener("input", function () {
      clearTimeout(checkDuplicates.timer);
      checkDuplicates.timer = setTimeout(checkDuplicates, 150);
    });
    loadIndex();
  }

  window.addEventListener("online", sendWhenAlone);
  window.addEventListener("offline", show);
  setInterval(sendWhenAlone, 10000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(status.dataset.worker, { scope: "/" });
    navigator.serviceWorker.addEventListener("message", show);
  }
  show().then(sendWhenAlone);
})();
