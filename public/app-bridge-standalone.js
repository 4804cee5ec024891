/*
 * A stand-in for Shopify's App Bridge script, for opening the admin pages in a plain browser tab (`npm run demo`,
 * browser tests). It is loaded only where APP_BRIDGE_URL points at it; inside Shopify admin the real App Bridge is used.
 *
 * It grants nothing: the page must have been opened with a valid session token (`id_token`, an HS256 JWT signed with
 * the app's API secret), and it only does with that token what App Bridge does with the tokens Shopify issues:
 *   - same-origin fetches (Remix navigations, fetchers, form posts, downloads) get `Authorization: Bearer <token>`;
 *   - the address bar keeps `embedded=1&shop&host&id_token` on /app pages, so reloading or sharing a tab works;
 *   - `shopify:admin/...` links open the Shopify admin in a new tab;
 *   - the <ui-nav-menu> element (the admin's side navigation) is hidden: pages carry their own links.
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
