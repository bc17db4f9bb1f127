{% load static %}// Refuge's service worker: the desk and tally screens, and their assets, keep working
// with no network. A form it cannot send is kept in IndexedDB (offline.js) and the
// browser is sent back to the screen, which shows it as waiting and sends it later.
"use strict";
importScripts("{% static 'refuge/js/offline.js' %}");

var CACHE = "refuge-{{ version }}";
var PAGES = {{ pages|safe }};
var ASSETS = {{ assets|safe }};

// The screens themselves are kept at once too, so that one visit is enough: a laptop
// opened once at the reception centre works when the network goes.
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE)
    .then(function (cache) {
      return cache.addAll(ASSETS).then(function () {
        return Promise.all(PAGES.map(function (page) { return keep(cache, page); }));
      });
    })
    .then(function () { return self.skipWaiting(); }));
});

// A screen this user may open (not a redirect to sign in or to choose a post).
function keep(cache, page) {
  return fetch(page, { credentials: "same-origin" }).then(function (response) {
    if (response.ok && !response.redirected) return cache.put(page, response);
  }).catch(function () { /* no network now: kept on the next visit */ });
}

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  // The queue sends to /api/..., which is not a screen: it is never kept again here.
  if (event.request.method === "POST" && PAGES.indexOf(url.pathname) !== -1) {
    event.respondWith(sendOrKeep(event.request, url.pathname));
  } else if (event.request.method === "GET" && PAGES.indexOf(url.pathname) !== -1) {
    event.respondWith(networkFirst(event.request, url));
  } else if (event.request.method === "GET" && ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(url.pathname).then(function (hit) {
      return hit || fetch(event.request);
    }));
  }
});

// A screen comes from the network when it can, and is kept for when it cannot. Only
// the plain screen is kept: one with ?done=... names who was just registered.
function networkFirst(request, url) {
  return fetch(request).then(function (response) {
    if (response.ok && !url.search && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(url.pathname).then(function (hit) {
      return hit || new Response({{ offline_page|safe }}, {
        status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

function sendOrKeep(request, path) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.formData().then(function (form) {
      var fields = [];
      form.forEach(function (value, name) {
        if (name !== "csrfmiddlewaretoken") fields.push([name, value]);
      });
      // A household is registered now, whenever it reaches the server.
      if (form.has("household_uuid")) fields.push(["registered_on", new Date().toISOString()]);
      return RefugeQueue.add({ path: path, fields: fields, label: label(form) });
    }).then(function () {
      return self.clients.matchAll().then(function (clients) {
        clients.forEach(function (client) { client.postMessage("queued"); });
      });
    }).then(function () { return Response.redirect(path + "?queued=1", 303); });
  });
}

function label(form) {
  if (form.has("label")) return form.get("label");
  if (form.has("people_aboard")) return form.get("people_aboard") + " ↦ " + (form.get("vehicle_ref") || "");
  var names = [], i = 0;
  while (form.has("members-" + i + "-given_name")) {
    var name = (form.get("members-" + i + "-given_name") + " " + form.get("members-" + i + "-family_name")).trim();
    if (name) names.push(name);
    i += 1;
  }
  return names.join(", ");
}
