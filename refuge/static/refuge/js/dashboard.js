// Refresh the dashboard's figures in place, without reloading the page.
(function () {
  "use strict";
  const script = document.currentScript;
  const seconds = Number(script.dataset.refreshSeconds || 30);
  async function refresh() {
    try {
      const response = await fetch(window.location.pathname + "?part=1",
        { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
      if (!response.ok) return;
      const html = await response.text();
      const current = document.getElementById("figures");
      const holder = document.createElement("div");
      holder.innerHTML = html;
      const fresh = holder.querySelector("#figures");
      if (current && fresh) current.replaceWith(fresh);
    } catch (error) {
      // Offline or the server restarting: keep showing the last figures.
    }
  }
  window.refugeRefreshDashboard = refresh;
  setInterval(refresh, seconds * 1000);
})();
