/** Small inline illustrations for empty states (no external image host: the app works offline and in the demo). */
const svg = (body: string) =>
  `data:image/svg+xml;utf8,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="240" height="160" viewBox="0 0 240 160">${body}</svg>`)}`;

export const CONNECT_ILLUSTRATION = svg(
  `<rect x="20" y="30" width="90" height="100" rx="12" fill="#e8f0fe"/><rect x="36" y="52" width="58" height="8" rx="4" fill="#2c6ecb"/>` +
    `<rect x="36" y="70" width="44" height="6" rx="3" fill="#9bb8e8"/><rect x="36" y="84" width="50" height="6" rx="3" fill="#9bb8e8"/>` +
    `<rect x="130" y="30" width="90" height="100" rx="12" fill="#eaf6ee"/><path d="M150 110 L170 88 L186 98 L204 66" stroke="#1a7f4b" stroke-width="6" fill="none" stroke-linecap="round" stroke-linejoin="round"/>` +
    `<circle cx="120" cy="80" r="14" fill="#fff" stroke="#8a8a8a" stroke-width="3"/><path d="M113 80h14M120 73v14" stroke="#8a8a8a" stroke-width="3" stroke-linecap="round"/>`,
);

export const NO_RESULTS_ILLUSTRATION = svg(
  `<rect x="50" y="36" width="140" height="92" rx="12" fill="#f1f1f1"/><rect x="68" y="56" width="70" height="8" rx="4" fill="#c9c9c9"/>` +
    `<rect x="68" y="74" width="104" height="6" rx="3" fill="#dedede"/><rect x="68" y="88" width="90" height="6" rx="3" fill="#dedede"/>` +
    `<circle cx="170" cy="112" r="18" fill="#fff" stroke="#8a8a8a" stroke-width="4"/><path d="M183 125l14 14" stroke="#8a8a8a" stroke-width="5" stroke-linecap="round"/>`,
);
