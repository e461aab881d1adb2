// Browser performance of a large board (`cargo xtask bench board`): a board
// of 40 stages × 12 lanes × 2,000 cards built through the real websocket
// protocol, then, in headless Chromium, the time to first render (cold and
// warm) and the frame times while dragging a card.
//
// Standalone: BASE_URL=http://127.0.0.1:8096 node perf/board-perf.mjs
// Env: BASE_URL, CHROMIUM, OUT (JSON results), TRACE_DIR (raw Chrome traces;
// none when empty), OPENS (cold opens, default 5), DRAGS (default 3), CARDS
// (default 2000).

import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASE, launch, createBoard, boardJson, signIn } from '../tests/helpers.mjs';

const STAGES = 40;
const LANES = 12;
const count = (name, fallback) => Math.max(1, Number.parseInt(process.env[name] ?? '', 10) || fallback);
// CARDS is for comparisons (how a cost grows with the board); the goals are
// for 2,000.
const CARDS = count('CARDS', 2000);
const OPENS = count('OPENS', 5);
const DRAGS = count('DRAGS', 3);
const OUT = process.env.OUT ?? '';
const TRACE_DIR = process.env.TRACE_DIR ?? '';
const VIEWPORT = { width: 1600, height: 1000 };
const GOAL_OPEN_MS = 1500;
const GOAL_FPS = 50;
const LONG_FRAME_MS = 20;

// ---------------------------------------------------------------- the board

/// Deterministic pseudo-random numbers (mulberry32), so every run builds the
/// same board.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(40122000);
const pick = (list) => list[Math.floor(rand() * list.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

/// UUIDv7: 48 bits of unix milliseconds, then random bits.
let lastMs = 0;
function uuid7() {
  lastMs = Math.max(Date.now(), lastMs + 1);
  const hex = lastMs.toString(16).padStart(12, '0');
  const r = Array.from({ length: 10 }, () => Math.floor(rand() * 256));
  r[0] = 0x70 | (r[0] & 0x0f); // version 7
  r[2] = 0x80 | (r[2] & 0x3f); // variant 10
  const h = r.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 20)}`;
}

/// Order keys exactly as `OrderKey::sequence(n)` makes them (cjm-core
/// order.rs): fractional-index bytes ending in the 0x80 terminator, as
/// lowercase hex; each key is `FractionalIndex::new_after` the previous one.
export function orderKeys(n) {
  const keys = [];
  let bytes = [0x80];
  for (let k = 0; k < n; k++) {
    if (k > 0) bytes = newAfter(bytes);
    keys.push(bytes.map((b) => b.toString(16).padStart(2, '0')).join(''));
  }
  return keys;
}

function newAfter(bytes) {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] < 0x80) return [...bytes.slice(0, i), 0x80];
    if (bytes[i] < 0xff) {
      const b = bytes.slice(0, i + 1);
      b[i] += 1;
      return [...b, 0x80];
    }
  }
  throw new Error('unterminated order key');
}

function validKey(k) {
  return /^([0-9a-f]{2})+$/.test(k) && k.length <= 128 && k.endsWith('80');
}

const STAGE_NAMES = [
  'Notices a need', 'Searches online', 'Reads reviews', 'Asks friends', 'Compares offers',
  'Visits the website', 'Signs up', 'Confirms email', 'Completes profile', 'Browses catalogue',
  'Filters results', 'Opens product page', 'Checks availability', 'Adds to basket', 'Applies a coupon',
  'Chooses delivery', 'Enters address', 'Pays', 'Gets confirmation', 'Waits for dispatch',
  'Tracks parcel', 'Reschedules delivery', 'Receives the order', 'Unboxes', 'Installs',
  'First use', 'Reads the manual', 'Contacts support', 'Gets a callback', 'Problem solved',
  'Leaves a review', 'Gets a newsletter', 'Uses a loyalty bonus', 'Buys accessories', 'Renews warranty',
  'Refers a friend', 'Requests a repair', 'Returns an item', 'Gets a refund', 'Buys again',
];

// No emotions lane: it is one curve across the stages, without cells.
const LANE_DEFS = [
  ['Actions', 'actions'], ['Touchpoints', 'touchpoints'], ['Thoughts', 'thoughts'],
  ['Pains', 'pains'], ['Goals', 'goals'], ['Questions', 'questions'], ['Triggers', 'triggers'],
  ['Backstage', 'backstage'], ['Ideas', 'ideas'], ['Opportunities', 'opportunities'],
  ['Notes', 'notes'], ['Research notes', 'notes'],
];

const DEFAULT_COLOR = {
  notes: 'yellow', actions: 'yellow', thoughts: 'blue', questions: 'purple', goals: 'green',
  triggers: 'orange', pains: 'red', backstage: 'gray', ideas: 'teal', opportunities: 'teal',
  touchpoints: 'white',
};
const COLORS = ['yellow', 'orange', 'red', 'pink', 'purple', 'blue', 'teal', 'green', 'gray', 'white'];
const CHANNELS = ['website', 'email', 'phone', 'chat', 'messenger', 'social', 'ads', 'store', 'mobile_app', 'delivery', 'other'];
const SOURCES = ['interview', 'call_transcript', 'survey', 'analytics', 'support_ticket', 'review', 'other'];
const STATUSES = ['idea', 'planned', 'in_progress', 'done'];

const PHRASES = [
  'Customer compares prices on two sites', 'Not sure the size fits the kitchen',
  'Wants delivery on a Saturday', 'Calls the shop to ask about stock', 'Reads the return policy twice',
  'Worried about hidden fees', 'Looks for a promo code', 'Expects a confirmation SMS',
  'Form resets after a validation error', 'Chat bot does not understand the question',
  'Tracking page shows no updates for two days', 'Courier arrives outside the time window',
  'Installation manual is hard to follow', 'Support answers within ten minutes',
  'Likes the bonus points', 'Shares a photo on social media', 'Asks whether old appliances are taken away',
  'Needs an invoice for the company', 'Payment by instalments is hidden', 'Mobile app logs out at checkout',
  'Wants to see real photos from buyers', 'The price changed after adding to basket',
  'Reviews mention noisy compressor', 'Friend recommends another brand', 'Newsletter arrives too often',
];
const TAILS = [
  'on the phone', 'late in the evening', 'before payday', 'with the family', 'for the second time',
  'while commuting', 'after a bad experience', 'in the store', 'because of the discount', 'again',
];

/// A card text of 20 to 120 characters.
function cardText() {
  const target = int(20, 120);
  let text = pick(PHRASES);
  while (text.length < target) {
    const next = rand() < 0.5 ? ` ${pick(TAILS)}` : `. ${pick(PHRASES)}`;
    if ((text + next).length > 120) break;
    text += next;
  }
  return text.length >= 20 ? text : `${text}, ${pick(TAILS)}`;
}

function evidence() {
  return Array.from({ length: int(1, 2) }, () => {
    const e = { source: pick(SOURCES), quote: `"${pick(PHRASES)}"` };
    if (rand() < 0.5) e.link = `https://research.example.com/notes/${int(100, 999)}`;
    if (rand() < 0.7) e.date = `2025-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`;
    return e;
  });
}

/// Ops turning a blank board into STAGES × LANES with CARDS cards, and the
/// ids of the new stages and lanes in order.
function buildOps(blank) {
  const ops = [];
  // The blank template's stages and lanes go; everything is ours.
  for (const id of Object.keys(blank.stages)) ops.push({ op: 'delete_stage', id });
  for (const id of Object.keys(blank.lanes)) ops.push({ op: 'delete_lane', id });
  const stageKeys = orderKeys(STAGES);
  const laneKeys = orderKeys(LANES);
  const stages = stageKeys.map((order, i) => ({ id: uuid7(), name: `${i + 1}. ${STAGE_NAMES[i % STAGE_NAMES.length]}`, order }));
  const lanes = LANE_DEFS.slice(0, LANES).map(([name, kind], i) => ({ id: uuid7(), name, kind, order: laneKeys[i] }));
  for (const s of stages) ops.push({ op: 'create_stage', ...s, description: '' });
  for (const l of lanes) ops.push({ op: 'create_lane', ...l });

  // About 4 cards a cell: 1 to 8, more in some cells, fewer in others.
  const cells = STAGES * LANES;
  const counts = new Array(cells).fill(Math.floor(CARDS / cells));
  for (let k = 0; k < CARDS % cells; k++) counts[int(0, cells - 1)] += 1;
  for (let k = 0; k < cells; k++) {
    const from = int(0, cells - 1);
    const to = int(0, cells - 1);
    if (counts[from] > 1 && counts[to] < 8) {
      counts[from] -= 1;
      counts[to] += 1;
    }
  }
  const pains = new Map(); // stage index → pain card ids
  // Lane by lane, so the pains exist before the opportunities that cite them.
  for (let l = 0; l < LANES; l++) {
    const kind = lanes[l].kind;
    for (let s = 0; s < STAGES; s++) {
      const keys = orderKeys(counts[s * LANES + l]);
      for (const order of keys) {
        const card = {
          op: 'create_card', id: uuid7(), stage_id: stages[s].id, lane_id: lanes[l].id, order,
          text: cardText(), color: rand() < 0.7 ? DEFAULT_COLOR[kind] : pick(COLORS),
        };
        if (kind === 'touchpoints') card.channel = pick(CHANNELS);
        if (rand() < 0.2) card.evidence = evidence();
        if (kind === 'pains') pains.set(s, [...(pains.get(s) ?? []), card.id]);
        if (kind === 'opportunities' && rand() < 0.6) {
          card.opportunity = {
            impact: int(1, 5), effort: int(1, 5), owner: pick(['Anna', 'Boris', 'CX team', '']),
            status: pick(STATUSES), addresses: (pains.get(s) ?? []).slice(0, int(0, 2)),
          };
        }
        ops.push(card);
      }
    }
  }
  for (const op of ops) {
    if (op.order && !validKey(op.order)) throw new Error(`bad order key ${op.order}`);
  }
  const cards = ops.filter((o) => o.op === 'create_card').map((o) => o.id);
  return { ops, stages: stages.map((s) => s.id), lanes: lanes.map((l) => l.id), cards };
}

/// Sends the ops in batches of at most 1000 through the browser's own
/// WebSocket, each after the previous one's `applied`.
async function fillBoard(browser, id) {
  const blank = await boardJson(id);
  const built = buildOps(blank);
  const batches = [];
  for (let k = 0; k < built.ops.length; k += 1000) batches.push(built.ops.slice(k, k + 1000));
  const context = await browser.newContext();
  await signIn(context);
  const page = await context.newPage();
  await page.goto(`${BASE}/healthz`);
  const seqs = await page.evaluate(async ({ url, batches }) => {
    const ws = new WebSocket(url);
    const inbox = [];
    let wake = () => {};
    ws.onmessage = (e) => { inbox.push(JSON.parse(e.data)); wake(); };
    ws.onclose = (e) => { inbox.push({ type: 'closed', code: e.code }); wake(); };
    const next = async (want) => {
      const deadline = Date.now() + 30000;
      for (;;) {
        const i = inbox.findIndex(want);
        if (i >= 0) return inbox.splice(i, 1)[0];
        const bad = inbox.find((m) => m.type === 'rejected' || m.type === 'error' || m.type === 'closed');
        if (bad) throw new Error(`websocket: ${JSON.stringify(bad)}`);
        if (Date.now() > deadline) throw new Error('websocket: no answer within 30 s');
        await new Promise((r) => { wake = r; setTimeout(r, 1000); });
      }
    };
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('websocket failed')); });
    ws.send(JSON.stringify({ type: 'hello', protocol: 1, client_id: 'bench', name: 'bench' }));
    await next((m) => m.type === 'welcome');
    const seqs = [];
    for (const ops of batches) {
      const client_op_id = crypto.randomUUID();
      ws.send(JSON.stringify({ type: 'submit', client_op_id, ops }));
      seqs.push((await next((m) => m.type === 'applied' && m.client_op_id === client_op_id)).seq);
    }
    ws.close();
    return seqs;
  }, { url: `${BASE.replace(/^http/, 'ws')}/api/boards/${id}/ws`, batches });
  await context.close();

  const board = await boardJson(id);
  const n = (o) => Object.keys(o).length;
  if (n(board.stages) !== STAGES || n(board.lanes) !== LANES || n(board.cards) !== CARDS) {
    throw new Error(`board has ${n(board.stages)} stages, ${n(board.lanes)} lanes, ${n(board.cards)} cards`);
  }
  return { ...built, batches: seqs.length, ops: built.ops.length };
}

// -------------------------------------------------------------- measurement

/// Runs in every page before the app: records when the first card and the
/// "Saved" badge appear, when all cards are in the DOM, the welcome message,
/// long tasks and long animation frames.
function instrument(expect) {
  const m = {
    expect, firstCard: null, saved: null, ready: null, allCards: null,
    readyPainted: null, allPainted: null, wsOpen: null, welcome: null, welcomeBytes: null,
    longTasks: [], loafs: [],
    // What a warm open starts from: the board snapshot in localStorage.
    cachedBytes: 0,
  };
  try {
    m.cachedBytes = Object.keys(localStorage).filter((k) => k.startsWith('cjm.board.'))
      .reduce((a, k) => a + localStorage.getItem(k).length, 0);
  } catch { /* no storage for this document */ }
  window.__perf = m;
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...args) {
      super(...args);
      this.addEventListener('open', () => { m.wsOpen ??= performance.now(); });
      this.addEventListener('message', (e) => {
        if (m.welcome == null && typeof e.data === 'string' && e.data.startsWith('{"type":"welcome"')) {
          m.welcome = performance.now();
          m.welcomeBytes = e.data.length;
        }
      });
    }
  };
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) m.longTasks.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: true });
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        const end = e.startTime + e.duration;
        const script = e.scripts.reduce((a, s) => a + s.duration, 0);
        m.loafs.push({
          start: e.startTime, duration: e.duration, script,
          render: e.renderStart ? end - e.renderStart : 0,
          styleLayout: e.styleAndLayoutStart ? end - e.styleAndLayoutStart : 0,
          blocking: e.blockingDuration,
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch { /* older browsers: no breakdown */ }
  // After the next frame is produced: the moment the DOM got painted.
  const afterPaint = (key) => requestAnimationFrame(() => setTimeout(() => { m[key] = performance.now(); }, 0));
  const cards = document.getElementsByClassName('card');
  const check = () => {
    const t = performance.now();
    if (m.firstCard == null && document.querySelector('[data-testid=card]')) m.firstCard = t;
    if (m.saved == null) {
      const s = document.querySelector('[data-testid=status]');
      if (s && /Saved|Сохранено/.test(s.textContent)) m.saved = t;
    }
    if (m.ready == null && m.firstCard != null && m.saved != null) {
      m.ready = t;
      afterPaint('readyPainted');
    }
    if (m.allCards == null && cards.length >= expect
        && document.querySelectorAll('[data-testid=card]').length >= expect) {
      m.allCards = t;
      afterPaint('allPainted');
    }
    if (m.ready != null && m.allCards != null) observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, characterData: true });
}

const round = (x, d = 1) => (x == null ? null : Math.round(x * 10 ** d) / 10 ** d);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null;
};
const max = (xs) => (xs.length ? Math.max(...xs) : null);

async function newContext(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
  await signIn(context);
  await context.addInitScript(() => { if (!localStorage.getItem('cjm.lang')) localStorage.setItem('cjm.lang', 'en'); });
  await context.addInitScript(instrument, CARDS);
  return context;
}

/// Opens the board in a new page of `context` and waits until every card
/// is painted; returns the page and its timings (ms from navigation start).
async function open(context, id) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE}/b/${id}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__perf.readyPainted != null && window.__perf.allPainted != null,
    null, { timeout: 60000, polling: 100 });
  const t = await page.evaluate(() => {
    const m = window.__perf;
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const wasm = res.find((r) => r.name.endsWith('.wasm'));
    const until = m.allPainted;
    const longTasks = m.longTasks.filter(([s]) => s <= until);
    const loafs = m.loafs.filter((l) => l.start <= until);
    const sum = (xs, f) => xs.reduce((a, x) => a + f(x), 0);
    return {
      ready: m.ready, readyPainted: m.readyPainted, firstCard: m.firstCard, saved: m.saved,
      allCards: m.allCards, allPainted: m.allPainted,
      html: nav?.responseEnd, domContentLoaded: nav?.domContentLoadedEventEnd,
      wasmLoaded: wasm?.responseEnd, wasmTransferBytes: wasm?.transferSize, wasmFromCache: wasm ? wasm.transferSize === 0 : null,
      wsOpen: m.wsOpen, welcome: m.welcome, welcomeBytes: m.welcomeBytes,
      longTasks: longTasks.length, longTaskMs: sum(longTasks, (x) => x[1]), longestTask: Math.max(0, ...longTasks.map((x) => x[1])),
      loafScriptMs: sum(loafs, (l) => l.script), loafStyleLayoutMs: sum(loafs, (l) => l.styleLayout),
      loafRenderMs: sum(loafs, (l) => l.render),
      domNodes: document.getElementsByTagName('*').length,
      cachedBytes: m.cachedBytes,
      snapshotBytes: Math.max(0, ...Object.keys(localStorage).filter((k) => k.startsWith('cjm.board.')).map((k) => localStorage.getItem(k).length)),
    };
  });
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  return { page, t };
}

/// The cells of the board fully clear of the sticky headers and the
/// autoscroll edges: { stage, lane, col, row, x, y, cards }.
async function visibleCells(page, stageIds, laneIds) {
  const cells = await page.evaluate(() => {
    const scroller = document.querySelector('.board-scroll').getBoundingClientRect();
    const stageBottom = document.querySelector('[data-testid=stage-header]').getBoundingClientRect().bottom;
    const laneRight = document.querySelector('[data-testid=lane-header]').getBoundingClientRect().right;
    const clip = {
      left: Math.max(scroller.left + 64, laneRight + 8), top: Math.max(scroller.top + 64, stageBottom + 8),
      right: Math.min(scroller.right, window.innerWidth) - 64, bottom: Math.min(scroller.bottom, window.innerHeight) - 64,
    };
    return [...document.querySelectorAll('[data-cell]')].map((c) => {
      const r = c.getBoundingClientRect();
      const top = Math.max(r.top, clip.top);
      const bottom = Math.min(r.bottom, clip.bottom);
      const left = Math.max(r.left, clip.left);
      const right = Math.min(r.right, clip.right);
      const inside = (b) => b.top >= clip.top && b.bottom <= clip.bottom && b.left >= clip.left && b.right <= clip.right;
      // A card to grab: its middle in view is enough (a sparse board's
      // few cards may be cut by the edges).
      const grabbable = (b) => {
        const x = b.left + b.width / 2;
        const y = b.top + b.height / 2;
        return x > clip.left && x < clip.right && y > clip.top && y < clip.bottom;
      };
      const first = [...c.querySelectorAll('[data-testid=card]')].find((e) => inside(e.getBoundingClientRect()))
        ?? [...c.querySelectorAll('[data-testid=card]')].find((e) => grabbable(e.getBoundingClientRect()));
      const fr = first?.getBoundingClientRect();
      return {
        stage: c.dataset.stage, lane: c.dataset.lane,
        ok: right - left >= 120 && bottom - top >= 60,
        x: (left + right) / 2, y: (top + bottom) / 2,
        card: first
          ? { id: first.dataset.card, x: fr.left + fr.width / 2, y: fr.top + fr.height / 2 } : null,
      };
    });
  });
  return cells.filter((c) => c.ok).map((c) => ({ ...c, col: stageIds.indexOf(c.stage), row: laneIds.indexOf(c.lane) }));
}

/// One drag of a card across a few cells with real pointer events while a
/// requestAnimationFrame loop records frame times.
async function dragOnce(page, id, built, rep) {
  const cells = await visibleCells(page, built.stages, built.lanes);
  const at = (col, row) => cells.find((c) => c.col === col && c.row === row);
  const rows = [...new Set(cells.map((c) => c.row))].sort((a, b) => a - b);
  const cols = [...new Set(cells.map((c) => c.col))].sort((a, b) => a - b);
  // From a visible card, right one cell, into the neighbouring lane (when
  // one is visible), right again: three cells crossed, dropped in the last.
  // Any pair of neighbouring visible lanes will do: on a sparse board (few
  // cards per cell) the first two lanes in view may hold no card to drag.
  const pairs = rows.length > 1 ? rows.slice(1).map((r, i) => [rows[i], r]) : [[rows[0], rows[0]]];
  let source;
  let path;
  for (const [r0, r1] of pairs) {
    for (let k = 0; k < cols.length && !source; k++) {
      const col = cols[(rep + k) % cols.length];
      // Rightwards, or leftwards from a card near the right edge.
      for (const step of [1, -1]) {
        for (const [a, b] of [[r1, r0], [r0, r1]]) {
          const p = [at(col + step, a), at(col + step, b), at(col + 2 * step, b)];
          if (!source && at(col, a)?.card && p.every((c) => c)) [source, path] = [at(col, a), p];
        }
      }
    }
    if (source) break;
  }
  if (!source) throw new Error(`no visible cells for a drag (columns ${cols.join(',')}, rows ${rows.join(',')})`);
  const target = path[path.length - 1];
  const points = [{ x: source.card.x, y: source.card.y }, ...path.map((c) => ({ x: c.x, y: c.y }))];

  await page.evaluate(() => {
    const f = (window.__frames = []);
    window.__frameLoop = true;
    window.__moves = 0;
    if (!window.__countingMoves) {
      window.__countingMoves = true;
      window.addEventListener('pointermove', () => { window.__moves += 1; }, { capture: true });
    }
    const loop = (t) => { f.push(t); if (window.__frameLoop) requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  });
  await page.waitForTimeout(500); // idle frames, for comparison
  await page.mouse.move(points[0].x, points[0].y);
  const down = await page.evaluate(() => performance.now());
  await page.mouse.down();
  // A hand moves on whether or not the page keeps up: the moves go out at a
  // steady 50 a second without waiting for the page to handle each one (as
  // with real input, Chromium coalesces those it cannot deliver in time).
  const moves = 75;
  const seconds = 1.5;
  const sent = [];
  const started = Date.now();
  for (let i = 1; i <= moves; i++) {
    const f = (i / moves) * (points.length - 1);
    const seg = Math.min(points.length - 2, Math.floor(f));
    const u = f - seg;
    const a = points[seg];
    const b = points[seg + 1];
    sent.push(page.mouse.move(a.x + (b.x - a.x) * u, a.y + (b.y - a.y) * u));
    const wait = started + (i * seconds * 1000) / moves - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(sent);
  const up = await page.evaluate(() => performance.now());
  await page.mouse.up();
  await page.waitForTimeout(600);
  const { frames, delivered } = await page.evaluate(() => {
    window.__frameLoop = false;
    return { frames: window.__frames, delivered: window.__moves };
  });

  const inWindow = (lo, hi) => {
    const ts = frames.filter((t) => t >= lo && t <= hi);
    return ts.slice(1).map((t, i) => t - ts[i]);
  };
  const idle = inWindow(down - 450, down);
  const dt = inWindow(down, up);
  const drop = inWindow(up, up + 600);
  const duration = dt.reduce((a, b) => a + b, 0);

  // The card must really have moved, as the server stored it.
  const deadline = Date.now() + 10000;
  let card;
  for (;;) {
    card = (await boardJson(id)).cards[source.card.id];
    if (card.stage_id === target.stage && card.lane_id === target.lane) break;
    if (Date.now() > deadline) {
      throw new Error(`card ${source.card.id} did not move to the target cell (stage ${card.stage_id}, lane ${card.lane_id})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    intervals: dt,
    card: source.card.id,
    from: [source.col + 1, source.row + 1], to: [target.col + 1, target.row + 1],
    moves, delivered, seconds: round((up - down) / 1000, 2),
    frames: dt.length, fps: round(dt.length ? (1000 * dt.length) / duration : 0),
    p50: round(pct(dt, 50)), p95: round(pct(dt, 95)), max: round(max(dt)),
    long: dt.filter((x) => x > LONG_FRAME_MS).length,
    idleFps: round(idle.length ? (1000 * idle.length) / idle.reduce((a, b) => a + b, 0) : 0),
    dropMaxFrame: round(max(drop)),
  };
}

/// Frame times in `page` while another client edits cards over the
/// websocket at `rate` batches a second for `seconds` (a busy workshop seen
/// by one participant), and how long the last edit takes to show.
async function remoteEdits(browser, page, id, built, rate = 100, seconds = 3) {
  const editor = await browser.newContext();
  await signIn(editor);
  const ep = await editor.newPage();
  await ep.goto(`${BASE}/healthz`);
  await page.evaluate(() => {
    window.__frames = [];
    window.__stopFrames = false;
    let last = performance.now();
    const loop = (t) => { window.__frames.push(t - last); last = t; if (!window.__stopFrames) requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  });
  const n = rate * seconds;
  const lastText = `remote edit ${n - 1} ${Date.now()}`;
  const sentAt = await ep.evaluate(async ({ url, cards, n, every, lastText }) => {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('websocket failed')); });
    let welcomed;
    const welcome = new Promise((r) => { welcomed = r; });
    let lastApplied;
    const done = new Promise((r) => { lastApplied = r; });
    let lastId = null;
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'welcome') welcomed();
      if (m.type === 'applied' && m.client_op_id === lastId) lastApplied();
    };
    ws.send(JSON.stringify({ type: 'hello', protocol: 1, client_id: 'remote-editor', name: 'Remote editor' }));
    await welcome;
    const start = performance.now();
    let at = 0;
    for (let i = 0; i < n; i++) {
      const client_op_id = crypto.randomUUID();
      if (i === n - 1) lastId = client_op_id;
      const text = i === n - 1 ? lastText : `remote edit ${i}`;
      ws.send(JSON.stringify({ type: 'submit', client_op_id, ops: [{ op: 'update_card', id: cards[i % 200], text }] }));
      const wait = start + (i + 1) * every - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      at = Date.now();
    }
    await done;
    ws.close();
    return at;
  }, { url: `${BASE.replace(/^http/, 'ws')}/api/boards/${id}/ws`, cards: built.cards, n, every: 1000 / rate, lastText });
  await page.waitForFunction((t) => [...document.querySelectorAll('[data-testid=card-text]')].some((el) => el.textContent === t), lastText, { timeout: 120000, polling: 20 });
  const shownAfter = Date.now() - sentAt;
  const frames = await page.evaluate(() => { window.__stopFrames = true; return window.__frames.slice(1); });
  await editor.close();
  return {
    rate, seconds, frames: frames.length,
    fps: round((1000 * frames.length) / frames.reduce((a, b) => a + b, 0)),
    p95_ms: round(pct(frames, 95)), max_ms: round(max(frames)),
    long_frames: frames.filter((x) => x > LONG_FRAME_MS).length,
    last_edit_shown_ms: shownAfter,
  };
}

// ------------------------------------------------------------ Chrome traces

/// Main-thread self time by trace event name, over the page's busiest
/// renderer thread: where the time goes, without opening DevTools.
function traceSummary(buf) {
  const events = JSON.parse(buf.toString()).traceEvents ?? [];
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
    .map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (!mains.has(key) || e.ph !== 'X' || !e.dur) continue;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push(e);
  }
  const total = (list) => list.reduce((a, e) => a + e.dur, 0);
  const best = [...byThread.values()].sort((a, b) => total(b) - total(a))[0] ?? [];
  best.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // Complete events nest: self time is an event's duration minus its
  // children's; busy time is the sum of the outermost ones.
  const nodes = [];
  const stack = [];
  let busy = 0;
  for (const e of best) {
    while (stack.length && stack[stack.length - 1].end <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) parent.children += e.dur;
    else busy += e.dur;
    const node = { e, end: e.ts + e.dur, children: 0 };
    stack.push(node);
    nodes.push(node);
  }
  const self = new Map();
  for (const { e, children } of nodes) self.set(e.name, (self.get(e.name) ?? 0) + Math.max(0, e.dur - children));
  // Input and other DOM events: how long the page took to handle each kind.
  const dispatch = new Map();
  for (const e of best) {
    const type = e.name === 'EventDispatch' && e.args?.data?.type;
    if (type) dispatch.set(type, [...(dispatch.get(type) ?? []), e.dur / 1000]);
  }
  const handled = [...dispatch.entries()].map(([type, ms]) => ({
    type, count: ms.length, total_ms: round(ms.reduce((a, b) => a + b, 0)), median_ms: round(median(ms)), max_ms: round(max(ms)),
  })).sort((a, b) => b.total_ms - a.total_ms).slice(0, 4);
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)
    .map(([name, us]) => ({ name, ms: round(us / 1000) }));
  return { mainThreadBusyMs: round(busy / 1000), selfTime: top, events: handled };
}

async function traced(browser, page, name, fn) {
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'toplevel', 'blink.user_timing'],
  });
  await fn();
  const buf = await browser.stopTracing();
  if (TRACE_DIR) {
    mkdirSync(TRACE_DIR, { recursive: true });
    writeFileSync(path.join(TRACE_DIR, `board-${name}.trace.json`), buf);
  }
  return traceSummary(buf);
}

// --------------------------------------------------------------------- main

const browser = await launch();
const results = {
  board: { stages: STAGES, lanes: LANES, cards: CARDS }, viewport: VIEWPORT,
  goals: { open_ms: GOAL_OPEN_MS, drag_fps: GOAL_FPS },
  // Other work on the machine skews the figures: note how busy it was.
  machine: { cpus: os.cpus().length, loadavg_at_start: os.loadavg().map((x) => round(x, 2)) },
};
try {
  const started = Date.now();
  const id = await createBoard(`Bench ${STAGES}×${LANES}×${CARDS}`, 'blank');
  const built = await fillBoard(browser, id);
  results.board.id = id;
  results.fill = { ops: built.ops, batches: built.batches, seconds: round((Date.now() - started) / 1000, 2) };
  console.log(`board ${id}: ${STAGES} stages × ${LANES} lanes, ${CARDS} cards (${built.ops} ops in ${built.batches} batches, ${results.fill.seconds} s)`);

  // b. Time to first render: cold (fresh context each time), then warm
  // (the same context again: HTTP cache, service worker, localStorage).
  const cold = [];
  const warm = [];
  for (let k = 0; k < OPENS; k++) {
    const context = await newContext(browser);
    const first = await open(context, id);
    cold.push(first.t);
    await first.page.close();
    const second = await open(context, id);
    warm.push(second.t);
    if (!second.t.cachedBytes) console.warn('warning: the warm open found no board snapshot in localStorage');
    await context.close();
    console.log(`open ${k + 1}/${OPENS}: cold ${round(first.t.ready, 0)} ms (all cards painted ${round(first.t.allPainted, 0)} ms), warm ${round(second.t.ready, 0)} ms`);
  }
  const stats = (runs) => {
    const s = {};
    for (const key of ['ready', 'readyPainted', 'allCards', 'allPainted', 'html', 'wasmLoaded', 'wsOpen', 'welcome', 'longTaskMs', 'longestTask', 'loafScriptMs', 'loafStyleLayoutMs']) {
      const xs = runs.map((r) => r[key]).filter((x) => x != null);
      s[key] = { median: round(median(xs)), max: round(max(xs)) };
    }
    return s;
  };
  results.open = {
    cold: stats(cold), warm: stats(warm),
    welcome_bytes: cold[0].welcomeBytes, dom_nodes: cold[0].domNodes, snapshot_bytes: cold[0].snapshotBytes,
    warm_started_from_snapshot: warm.every((t) => t.cachedBytes > 0),
    wasm_transfer_bytes: cold[0].wasmTransferBytes, runs: { cold, warm },
  };

  // c. Frame times while dragging a card, in an opened board.
  const context = await newContext(browser);
  const { page } = await open(context, id);
  // Scroll so that the second lane starts mid-screen: the drags then cross
  // a lane boundary too, not only stages.
  await page.evaluate((lane) => {
    const header = document.querySelector(`[data-testid=lane-header][data-id="${lane}"]`);
    document.querySelector('.board-scroll').scrollTop += header.getBoundingClientRect().top - window.innerHeight * 0.45;
  }, built.lanes[1]);
  await page.waitForTimeout(1000);
  const drags = [];
  for (let k = 0; k < DRAGS; k++) {
    const d = await dragOnce(page, id, built, k);
    drags.push(d);
    console.log(`drag ${k + 1}/${DRAGS}: ${d.frames} frames, ${d.fps} fps, p95 ${d.p95} ms, max ${d.max} ms, ${d.long} long (idle ${d.idleFps} fps)`);
    await page.waitForTimeout(500);
  }
  // Over the frames of all the drags together.
  const all = drags.flatMap((d) => d.intervals);
  results.drag = {
    fps: { mean: round((1000 * all.length) / all.reduce((a, b) => a + b, 0)), min: round(Math.min(...drags.map((d) => d.fps))) },
    frames: all.length, p50_ms: round(pct(all, 50)), p95_ms: round(pct(all, 95)), max_ms: round(max(all)),
    long_frames: all.filter((x) => x > LONG_FRAME_MS).length,
    idle_fps: round(median(drags.map((d) => d.idleFps))),
    runs: drags.map(({ intervals, ...d }) => d),
  };

  // e. Others editing: 100 batches a second from another client.
  results.remote = await remoteEdits(browser, page, id, built);
  console.log(`remote edits: ${results.remote.rate}/s for ${results.remote.seconds} s: ${results.remote.fps} fps, p95 ${results.remote.p95_ms} ms, ${results.remote.long_frames} long frames; last edit shown ${results.remote.last_edit_shown_ms} ms after it was sent`);

  // Where the time goes: one traced drag and one traced cold open (not
  // counted above: tracing slows the page down).
  results.trace = {};
  results.trace.drag = await traced(browser, page, 'drag', () => dragOnce(page, id, built, DRAGS));
  await context.close();
  const tc = await newContext(browser);
  const tp = await tc.newPage();
  results.trace.open = await traced(browser, tp, 'open', async () => {
    await tp.goto(`${BASE}/b/${id}`, { waitUntil: 'commit' });
    await tp.waitForFunction(() => window.__perf.allPainted != null, null, { timeout: 60000, polling: 100 });
  });
  await tc.close();

  // d. Summary.
  const c = results.open.cold;
  const w = results.open.warm;
  const dr = results.drag;
  const ok = (b) => (b ? 'ok' : 'MISSED');
  results.pass = { open: c.ready.median < GOAL_OPEN_MS, drag: dr.fps.mean >= GOAL_FPS };
  // Cost per unit of work, comparable between machines: the traced
  // open's main-thread time per card, and a pointermove's handling time.
  const moves = results.trace.drag.events.find((e) => e.type === 'pointermove');
  results.per_unit = {
    open_ms_per_card: round(results.trace.open.mainThreadBusyMs / CARDS, 3),
    pointermove_ms: moves ? moves.median_ms : null,
  };
  console.log(`
board bench: ${STAGES} stages × ${LANES} lanes × ${CARDS} cards, Chromium headless ${VIEWPORT.width}×${VIEWPORT.height}
  open, cold (${OPENS} runs)   first card + Saved: median ${c.ready.median} ms, max ${c.ready.max} ms   [goal < ${GOAL_OPEN_MS} ms: ${ok(results.pass.open)}]
                             all ${CARDS} cards in DOM: median ${c.allCards.median} ms, painted ${c.allPainted.median} ms
                             html ${c.html.median} ms, wasm loaded ${c.wasmLoaded.median} ms, ws open ${c.wsOpen.median} ms, welcome ${c.welcome.median} ms (${Math.round(results.open.welcome_bytes / 1024)} KB)
  open, warm                 first card + Saved: median ${w.ready.median} ms, max ${w.ready.max} ms; all painted ${w.allPainted.median} ms
  drag (${DRAGS} runs)            ${dr.fps.mean} fps mean (worst run ${dr.fps.min}), frame p50 ${dr.p50_ms} ms, p95 ${dr.p95_ms} ms, max ${dr.max_ms} ms, ${dr.long_frames}/${dr.frames} frames > ${LONG_FRAME_MS} ms   [goal ≥ ${GOAL_FPS} fps: ${ok(results.pass.drag)}]
                             idle ${dr.idle_fps} fps; longest frame after the drop ${max(dr.runs.map((d) => d.dropMaxFrame))} ms
  others editing             ${results.remote.rate} batches/s: ${results.remote.fps} fps, p95 ${results.remote.p95_ms} ms, ${results.remote.long_frames} frames > ${LONG_FRAME_MS} ms; last edit on screen ${results.remote.last_edit_shown_ms} ms after sending
  cost per unit              open ${results.per_unit.open_ms_per_card} ms of main thread per card; drag ${results.per_unit.pointermove_ms ?? '?'} ms per pointermove (median)
  main thread, traced open   busy ${results.trace.open.mainThreadBusyMs} ms: ${results.trace.open.selfTime.slice(0, 5).map((s) => `${s.name} ${s.ms}`).join(', ')}
  main thread, traced drag   busy ${results.trace.drag.mainThreadBusyMs} ms: ${results.trace.drag.selfTime.slice(0, 5).map((s) => `${s.name} ${s.ms}`).join(', ')}
                             ${results.trace.drag.events.slice(0, 2).map((e) => `${e.type} handled ${e.count}× in ${e.median_ms} ms median (max ${e.max_ms})`).join(', ')}`);
} finally {
  await browser.close();
  if (OUT) {
    mkdirSync(path.dirname(OUT), { recursive: true });
    writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`results: ${OUT}`);
  }
}
