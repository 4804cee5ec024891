/*
 * A stand-in for Shopify's App Bridge script, for opening the admin pages in a plain browser tab (`npm run demo`,
 * browser tests). It is loaded only where APP_BRIDGE_URL points at it; inside Shopify admin the real App Bridge is used.
 *
 * It grants nothing: the page must have been opened with a valid session token (`id_token`, an HS256 JWT signed with
 * the app's API secret), and it only does with that token what App Bridge does with the tokens Shopify issues:
 *   - same-origin fetches (Remix navigations, fetchers, form posts, downloads) get `Authorization: Bearer <token>`;
 *   - the address bar keeps `embedded=1&shop&host&id_token` on /app pages, so reloading or sharing a tab works;
 *   - `shopify:admin/...` links open the Shopify admin in a new tab;
 *   - the <ui-nav-menu> element (the admin's side navigation) is hidden: pages carry their own links;
 *   - `shopify.webVitals.onReport` reports the page view's LCP, CLS and INP, measured from the browser's own
 *     performance entries, when the page is hidden (or on `__appBridgeStandIn.flushWebVitals()`, for the bench).
 * The server validates every request exactly as in production (docs/decisions/005-demo-auth.md).
 */
(function () {
  "use strict";
  var STORAGE_KEY = "campaign-revenue:standalone-auth";
  var PARAMS = ["embedded", "shop", "host", "id_token"];

  function readAuth() {
    var params = new URL(window.location.href).searchParams;
    if (params.get("id_token") && params.get("shop")) {
      var fresh = { shop: params.get("shop"), host: params.get("host") || "", id_token: params.get("id_token") };
      try {
        window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(fresh));
      } catch {
        /* storage may be disabled: keep it in memory */
      }
      return fresh;
    }
    try {
      return JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || "null");
    } catch {
      return null;
    }
  }

  var auth = readAuth();

  var style = document.createElement("style");
  style.textContent = "ui-nav-menu{display:none!important}";
  document.head.appendChild(style);

  if (!auth) return;

  function sameOrigin(url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch {
      return false;
    }
  }

  // 1. Bearer token on same-origin fetches, as App Bridge does inside Shopify admin.
  var originalFetch = window.fetch;
  window.fetch = function (input, init) {
    var url = typeof input === "string" || input instanceof URL ? String(input) : input && input.url;
    if (url && sameOrigin(url)) {
      var headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
      if (!headers.has("Authorization")) {
        headers.set("Authorization", "Bearer " + auth.id_token);
        init = Object.assign({}, init, { headers: headers });
      }
    }
    return originalFetch.call(this, input, init).then(function (response) {
      if (response.status === 401 && response.headers.get("X-Shopify-Retry-Invalid-Session-Request")) {
        showExpired();
      }
      return response;
    });
  };

  // 2. Reloadable address bar on /app pages.
  function withAuthParams(url) {
    if (url === undefined || url === null) return url;
    try {
      var u = new URL(String(url), window.location.href);
      if (u.origin !== window.location.origin || !/^\/app(\/|$)/.test(u.pathname)) return url;
      u.searchParams.set("embedded", "1");
      u.searchParams.set("shop", auth.shop);
      if (auth.host) u.searchParams.set("host", auth.host);
      u.searchParams.set("id_token", auth.id_token);
      return u.pathname + u.search + u.hash;
    } catch {
      return url;
    }
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = window.history[name];
    window.history[name] = function (state, title, url) {
      return original.call(this, state, title, withAuthParams(url));
    };
  });
  if (
    PARAMS.some(function (p) {
      return !new URL(window.location.href).searchParams.has(p);
    })
  ) {
    window.history.replaceState(window.history.state, "", withAuthParams(window.location.href));
  }

  // 3. shopify:admin/... links open the shop's admin (App Bridge handles them inside Shopify admin).
  document.addEventListener(
    "click",
    function (event) {
      var el = event.target;
      while (el && el.tagName !== "A") el = el.parentElement;
      if (!el) return;
      var href = el.getAttribute("href") || "";
      var match = /^shopify:\/*admin\/(.*)$/.exec(href);
      if (!match) return;
      event.preventDefault();
      var store = auth.shop.replace(/\.myshopify\.com$/, "");
      window.open(
        "https://admin.shopify.com/store/" + encodeURIComponent(store) + "/" + match[1],
        "_blank",
        "noopener",
      );
    },
    true,
  );

  // 4. shopify.webVitals.onReport, as App Bridge offers it: LCP, CLS (largest session window) and INP (the slowest
  // interaction; fewer than 50 interactions per view here) of this page view, one id per metric and view.
  var vitalsCallbacks = [];
  var viewId = Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  var lcp = null;
  var cls = 0;
  var clsWindow = 0;
  var clsFirst = 0;
  var clsLast = 0;
  var inp = null;
  var interactions = 0;
  function observe(type, fn, extra) {
    try {
      new PerformanceObserver(function (list) {
        list.getEntries().forEach(fn);
      }).observe(Object.assign({ type: type, buffered: true }, extra || {}));
    } catch {
      /* entry type not supported by this browser */
    }
  }
  observe("largest-contentful-paint", function (e) {
    lcp = e.renderTime || e.startTime;
  });
  observe("layout-shift", function (e) {
    if (e.hadRecentInput) return;
    if (clsWindow && e.startTime - clsLast < 1000 && e.startTime - clsFirst < 5000) clsWindow += e.value;
    else {
      clsWindow = e.value;
      clsFirst = e.startTime;
    }
    clsLast = e.startTime;
    cls = Math.max(cls, clsWindow);
  });
  observe(
    "event",
    function (e) {
      if (e.interactionId) inp = Math.max(inp || 0, e.duration);
    },
    { durationThreshold: 16 },
  );
  ["pointerup", "keyup"].forEach(function (type) {
    window.addEventListener(
      type,
      function () {
        interactions += 1;
      },
      true,
    );
  });
  function vitalsReport() {
    var metrics = [];
    if (lcp !== null) metrics.push({ id: viewId + "-lcp", name: "LCP", value: lcp });
    metrics.push({ id: viewId + "-cls", name: "CLS", value: cls });
    // Interactions faster than the 16 ms the browser reports are counted as 16 ms.
    if (inp !== null || interactions > 0)
      metrics.push({ id: viewId + "-inp", name: "INP", value: inp === null ? 16 : inp });
    return { metrics: metrics };
  }
  function flushWebVitals() {
    var report = vitalsReport();
    vitalsCallbacks.forEach(function (cb) {
      try {
        cb(report);
      } catch {
        /* a callback's error is its own */
      }
    });
    return report;
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flushWebVitals();
  });
  window.addEventListener("pagehide", flushWebVitals);
  window.shopify = window.shopify || {};
  window.shopify.webVitals = {
    onReport: function (cb) {
      vitalsCallbacks = cb ? [cb] : [];
      return Promise.resolve();
    },
  };
  window.__appBridgeStandIn = { flushWebVitals: flushWebVitals };

  var expiredShown = false;
  function showExpired() {
    if (expiredShown) return;
    expiredShown = true;
    var box = document.createElement("div");
    box.setAttribute("role", "alert");
    box.style.cssText =
      "position:fixed;left:16px;right:16px;bottom:16px;z-index:1000;padding:12px 16px;border-radius:12px;" +
      "background:#fff4f4;color:#8e1f0b;border:1px solid #e0b3b2;font:14px/1.4 system-ui,sans-serif";
    box.textContent = "This session has expired. Open a new link (run `npm run demo` again) to continue.";
    document.body.appendChild(box);
  }
})();
