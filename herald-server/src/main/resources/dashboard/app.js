// Herald dashboard: polls the admin endpoints once a second and follows the event stream.
// Plain script, no build step; charts with uPlot (served from its WebJar).
'use strict';

(function () {
  const TOKEN_KEY = 'herald.token';
  const POLL_MILLIS = 1000;
  const HISTORY = 120; // points kept per chart: two minutes at one a second
  const TAIL_MAX = 500; // events kept in the live tail
  const $ = (id) => document.getElementById(id);

  let token = sessionStorage.getItem(TOKEN_KEY);
  let polling = null; // the stats and groups poll
  let deadLetterPolling = null;
  let previous = null; // the last stats sample, for rates

  // ---- requests ----

  class Refused extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  function headers(extra) {
    const h = Object.assign({ Accept: 'application/json' }, extra || {});
    if (token) h.Authorization = 'Bearer ' + token;
    return h;
  }

  async function api(path, options) {
    const o = Object.assign({ cache: 'no-store' }, options || {});
    o.headers = headers(o.headers);
    const r = await fetch(path, o);
    if (r.status === 401 || r.status === 403) {
      const detail = await problemDetail(r);
      showLogin(r.status === 401 ? 'This server needs a token: ' + detail
        : 'This token may not administer: ' + detail);
      throw new Refused(r.status, detail);
    }
    if (!r.ok) {
      throw new Refused(r.status, await problemDetail(r));
    }
    return r.status === 204 ? null : r.json();
  }

  async function problemDetail(r) {
    try {
      const p = await r.json();
      return p.detail || p.title || String(r.status);
    } catch (e) {
      return 'HTTP ' + r.status;
    }
  }

  function setStatus(text, bad) {
    const s = $('status');
    s.textContent = text;
    s.classList.toggle('bad', !!bad);
  }

  // ---- login ----

  function showLogin(message) {
    stopPolling();
    stopTail();
    $('panels').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    setStatus('needs a token', true);
  }

  function showPanels() {
    $('login').hidden = true;
    $('panels').hidden = false;
    $('logout').hidden = !token;
  }

  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    token = $('token-input').value.trim();
    $('token-input').value = '';
    sessionStorage.setItem(TOKEN_KEY, token);
    start();
  });

  $('logout').addEventListener('click', () => {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin('');
  });

  // ---- charts ----

  class Chart {
    constructor(element, unit) {
      this.element = element;
      this.unit = unit;
      this.times = [];
      this.series = new Map(); // name -> values, aligned with times
      this.plot = null;
      this.names = '';
    }

    add(time, values) {
      this.times.push(time);
      for (const [name, v] of Object.entries(values)) {
        if (!this.series.has(name)) {
          this.series.set(name, new Array(this.times.length - 1).fill(null));
        }
      }
      for (const [name, list] of this.series) {
        list.push(name in values ? values[name] : null);
      }
      if (this.times.length > HISTORY) {
        this.times.shift();
        for (const list of this.series.values()) list.shift();
      }
      for (const [name, list] of this.series) {
        if (list.every((v) => v === null)) this.series.delete(name);
      }
      this.draw();
    }

    draw() {
      if (typeof uPlot === 'undefined') return; // the tables still show every figure
      const names = [...this.series.keys()];
      const data = [this.times, ...names.map((n) => this.series.get(n))];
      const width = Math.max(300, this.element.clientWidth);
      if (this.plot && this.names === names.join('\n')) {
        this.plot.setData(data);
        return;
      }
      if (this.plot) this.plot.destroy();
      this.names = names.join('\n');
      this.plot = new uPlot({
        width: width,
        height: 200,
        scales: { x: { time: true } },
        legend: { live: false },
        axes: [{}, { label: this.unit, size: 60 }],
        series: [{}, ...names.map((n, i) => ({ label: n, stroke: color(i), width: 1.5, points: { show: false } }))],
      }, data, this.element);
    }

    resize() {
      if (this.plot) this.plot.setSize({ width: Math.max(300, this.element.clientWidth), height: 200 });
    }
  }

  function color(i) {
    const palette = ['#2d6cdf', '#e8590c', '#2b8a3e', '#ae3ec9', '#c92a2a', '#0b7285', '#5f3dc4',
      '#a61e4d', '#364fc7', '#087f5b', '#e67700', '#495057'];
    return palette[i % palette.length];
  }

  const throughputChart = new Chart($('throughput-chart'), 'events/s');
  const lagChart = new Chart($('lag-chart'), 'lag');
  const deliveryChart = new Chart($('delivery-chart'), 'delivered/s');
  let deadLettered = {}; // subscription -> dead letters it made, to pick a group worth showing
  window.addEventListener('resize', () => {
    throughputChart.resize();
    lagChart.resize();
    deliveryChart.resize();
  });

  // ---- tables ----

  /** Puts one row per key in tbody, in the given order, with cells from cells(item). */
  function fillRows(tbody, attribute, items, key, cells) {
    const keep = new Set();
    let before = null;
    for (let i = items.length - 1; i >= 0; i--) {
      const k = key(items[i]);
      keep.add(k);
      let row = [...tbody.rows].find((r) => r.getAttribute(attribute) === k);
      if (!row) {
        row = document.createElement('tr');
        row.setAttribute(attribute, k);
      }
      const values = cells(items[i]);
      while (row.cells.length < values.length) row.insertCell();
      values.forEach(([cls, v], j) => {
        const td = row.cells[j];
        td.className = cls;
        if (v instanceof Node) {
          if (td.firstChild !== v) td.replaceChildren(v);
        } else {
          td.textContent = v;
          td.title = v;
        }
      });
      tbody.insertBefore(row, before);
      before = row;
    }
    for (const row of [...tbody.rows]) {
      if (!keep.has(row.getAttribute(attribute))) row.remove();
    }
  }

  function rate(n) {
    return n >= 100 ? Math.round(n).toString() : n.toFixed(1);
  }

  // ---- polling ----

  async function poll() {
    try {
      const [stats, groups] = await Promise.all([api('/v1/stats'), api('/v1/groups')]);
      showStats(stats);
      showGroups(groups.groups || []);
      setStatus('live · ' + new Date().toLocaleTimeString());
    } catch (e) {
      if (!(e instanceof Refused && (e.status === 401 || e.status === 403))) {
        setStatus('cannot reach the server: ' + e.message, true);
      }
    }
  }

  function showStats(stats) {
    $('store').textContent = 'store: ' + stats.store;
    const now = performance.now();
    const bus = stats.bus || {};
    const subs = bus.subscriptions || [];
    const sample = { at: now, stored: stats.readByType || stats.storedByType || {}, published: bus.published || 0,
      delivered: Object.fromEntries(subs.map((s) => [s.name, s.delivered])) };
    const seconds = previous ? Math.max(0.001, (now - previous.at) / 1000) : 0;
    const per = (n, before) => (previous && before !== undefined ? Math.max(0, n - before) / seconds : 0);

    const typeRates = {};
    for (const [type, n] of Object.entries(sample.stored)) {
      typeRates[type] = per(n, previous && (previous.stored[type] ?? 0));
    }
    const publishedRate = per(sample.published, previous && previous.published);
    let deliveredRate = 0;
    const subRates = {};
    for (const s of subs) {
      subRates[s.name] = per(s.delivered, previous && (previous.delivered[s.name] ?? 0));
      deliveredRate += subRates[s.name];
    }
    previous = sample;

    const types = Object.keys(sample.stored).sort();
    fillRows($('throughput-table').tBodies[0], 'data-type', types, (t) => t, (t) => [
      ['type', t], ['rate', rate(typeRates[t])], ['total', String(sample.stored[t])]]);
    $('throughput-table').hidden = types.length === 0;
    $('bus-published-rate').textContent = rate(publishedRate);
    $('bus-delivered-rate').textContent = rate(deliveredRate);
    const chartValues = Object.assign({}, typeRates);
    chartValues['bus published'] = publishedRate;
    throughputChart.add(Date.now() / 1000, chartValues);

    const sorted = [...subs].sort((a, b) => a.name.localeCompare(b.name));
    deliveryChart.add(Date.now() / 1000, subRates);
    deadLettered = Object.fromEntries(subs.map((s) => [s.name, s.deadLettered]));
    fillRows($('mailboxes-table').tBodies[0], 'data-subscription', sorted, (s) => s.name, (s) => [
      ['name', s.name], ['depth', String(s.mailboxDepth)], ['inflight', String(s.inFlight)],
      ['rate', rate(subRates[s.name])], ['failed', String(s.failed)],
      ['deadlettered', String(s.deadLettered)], ['dropped', String(s.dropped)],
      ['p99', (s.latencyP99Nanos / 1e6).toFixed(2)]]);
  }

  function showGroups(groups) {
    const sorted = [...groups].sort((a, b) => a.group.localeCompare(b.group));
    fillRows($('groups-table').tBodies[0], 'data-group', sorted, (g) => g.group, (g) => [
      ['group', g.group], ['lag', String(g.lag)],
      ['partitions', (g.partitions || []).map((p) => p.partition + ': ' + p.committed + ' / ' + p.end)
        .join(', ')]]);
    $('groups-empty').hidden = groups.length > 0;
    lagChart.add(Date.now() / 1000, Object.fromEntries(sorted.map((g) => [g.group, g.lag])));

    const select = $('dl-group');
    const chosen = select.value;
    const names = sorted.map((g) => g.group);
    if (names.join('\n') !== [...select.options].map((o) => o.value).join('\n')) {
      select.replaceChildren(...names.map((n) => new Option(n, n)));
      if (names.includes(chosen)) select.value = chosen;
    }
    // A group is usually its subscription's name: until the user picks one, show one that
    // dead-lettered something.
    const worth = names.find((n) => deadLettered[n] > 0);
    if (!groupChosen && worth && !(deadLettered[select.value] > 0)) select.value = worth;
    if (select.value !== chosen) loadDeadLetters();
  }

  // ---- dead letters ----

  const DL_SHOWN = 100;

  async function loadDeadLetters() {
    const group = $('dl-group').value;
    if (!group) return;
    try {
      // One more than is shown: a full page says so rather than pass for the whole count.
      const r = await api('/v1/deadletters?group=' + encodeURIComponent(group) + '&limit=' + (DL_SHOWN + 1));
      const all = r.deadLetters || [];
      const list = all.slice(0, DL_SHOWN);
      $('dl-count').textContent = all.length > DL_SHOWN
        ? 'more than ' + DL_SHOWN + ' dead letters (the oldest ' + DL_SHOWN + ' shown)'
        : list.length + (list.length === 1 ? ' dead letter' : ' dead letters');
      fillRows($('deadletters-table').tBodies[0], 'data-position', list, (d) => d.position, (d) => [
        ['position', d.position], ['type', (d.event && d.event.type) || ''],
        ['event-id', (d.event && d.event.id) || ''], ['subscription', d.subscription || ''],
        ['attempts', String(d.attempts)],
        ['cause', (d.causeType || '') + (d.causeMessage ? ': ' + d.causeMessage : '')],
        ['time', d.time || ''], ['actions', redriveButton(d)]]);
    } catch (e) {
      if (!(e instanceof Refused && (e.status === 401 || e.status === 403))) {
        $('dl-message').textContent = 'cannot list dead letters: ' + e.message;
      }
    }
  }

  const buttons = new Map(); // position -> its redrive button, kept across refreshes
  function redriveButton(d) {
    let b = buttons.get(d.position);
    if (!b) {
      b = document.createElement('button');
      b.type = 'button';
      b.className = 'redrive';
      b.textContent = 'Redrive';
      b.addEventListener('click', () => redriveOne(d.position, b));
      buttons.set(d.position, b);
    }
    return b;
  }

  async function redriveOne(position, button) {
    button.disabled = true;
    try {
      await api('/v1/deadletters/' + encodeURIComponent(position) + '/redrive', { method: 'POST' });
      $('dl-message').textContent = 'redriven: ' + position;
      buttons.delete(position);
    } catch (e) {
      $('dl-message').textContent = 'redrive of ' + position + ' failed: ' + e.message;
      button.disabled = false;
    }
    loadDeadLetters();
  }

  $('dl-redrive-all').addEventListener('click', async () => {
    const group = $('dl-group').value;
    if (!group) return;
    try {
      const r = await api('/v1/deadletters/redrive?group=' + encodeURIComponent(group),
        { method: 'POST' });
      $('dl-message').textContent = 'redriven: ' + r.redriven;
    } catch (e) {
      $('dl-message').textContent = 'redrive all failed: ' + e.message;
    }
    loadDeadLetters();
  });

  $('dl-form').addEventListener('submit', (e) => {
    e.preventDefault();
    loadDeadLetters();
  });
  let groupChosen = false;
  $('dl-group').addEventListener('change', () => {
    groupChosen = true;
    loadDeadLetters();
  });

  $('deadletters-table').tBodies[0].addEventListener('click', async (e) => {
    const row = e.target.closest('tr');
    if (!row || e.target.closest('button')) return;
    try {
      const d = await api('/v1/deadletters/' + encodeURIComponent(row.getAttribute('data-position')));
      $('dl-detail').textContent = JSON.stringify(d, null, 2);
      $('dl-detail').hidden = false;
    } catch (err) {
      $('dl-message').textContent = err.message;
    }
  });

  // ---- live tail ----
  // The stream names each SSE event by its CloudEvent type, and an EventSource only hands a
  // page the events of names it listens to by name: a tail of any type reads the stream itself
  // (fetch), which also lets it send the token as a header, never in a URL. It resumes after
  // the last position it showed with Last-Event-ID, as an EventSource would.

  const tail = { controller: null, lastId: null, retryMillis: 3000 };

  function setTailStatus(text) {
    $('tail-status').textContent = text;
  }

  function stopTail() {
    if (tail.controller) tail.controller.abort();
    tail.controller = null;
    setTailStatus('stopped');
  }

  $('tail-form').addEventListener('submit', (e) => {
    e.preventDefault();
    stopTail();
    tail.lastId = null;
    $('tail-list').replaceChildren();
    $('tail-last-id').textContent = '-';
    follow($('tail-types').value.trim() || '#', $('tail-from').value);
  });
  $('tail-stop').addEventListener('click', stopTail);

  async function follow(types, from) {
    const controller = new AbortController();
    tail.controller = controller;
    while (!controller.signal.aborted) {
      try {
        const params = new URLSearchParams({ types: types });
        const h = headers({ Accept: 'text/event-stream' });
        if (tail.lastId !== null) {
          h['Last-Event-ID'] = tail.lastId;
        } else {
          params.set('from', from);
        }
        setTailStatus(tail.lastId === null ? 'connecting' : 'resuming after ' + tail.lastId);
        const r = await fetch('/v1/events/stream?' + params, {
          headers: h, cache: 'no-store', signal: controller.signal });
        if (!r.ok) {
          const detail = await problemDetail(r);
          if (r.status === 401 || r.status === 403) {
            showLogin(detail);
            return;
          }
          if (r.status !== 429 && r.status !== 503) {
            setTailStatus('refused (' + r.status + '): ' + detail);
            tail.controller = null;
            return;
          }
          setTailStatus('refused (' + r.status + '), retrying: ' + detail);
        } else {
          setTailStatus('following');
          await read(r.body, controller.signal);
          setTailStatus('stream ended, reconnecting');
        }
      } catch (e) {
        if (controller.signal.aborted) return;
        setTailStatus('disconnected, reconnecting: ' + e.message);
      }
      await new Promise((resolve) => setTimeout(resolve, tail.retryMillis));
    }
  }

  /** Reads Server-Sent Events as the HTML standard parses them. */
  async function read(body, signal) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let data = [];
    let type = 'message';
    let id = null;
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        let line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line === '') {
          if (id !== null) tail.lastId = id;
          if (data.length) show(type, tail.lastId, data.join('\n'));
          data = [];
          type = 'message';
          id = null;
          continue;
        }
        if (line.startsWith(':')) continue; // a heartbeat
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let v = colon < 0 ? '' : line.slice(colon + 1);
        if (v.startsWith(' ')) v = v.slice(1);
        if (field === 'data') data.push(v);
        else if (field === 'event') type = v;
        else if (field === 'id' && !v.includes('\0')) id = v;
        else if (field === 'retry' && /^\d+$/.test(v)) tail.retryMillis = Number(v);
      }
    }
  }

  function show(type, position, data) {
    let event = null;
    try {
      event = JSON.parse(data);
    } catch (e) {
      // shown as it came
    }
    const li = document.createElement('li');
    li.setAttribute('data-position', position === null ? '' : position);
    li.setAttribute('data-type', type);
    if (event && event.id) li.setAttribute('data-id', event.id);
    const payload = event ? JSON.stringify(event.data !== undefined ? event.data : event.data_base64)
      : data;
    li.textContent = [position, type, event ? event.id : '', payload].join('  ');
    li.title = data;
    const list = $('tail-list');
    list.appendChild(li);
    while (list.children.length > TAIL_MAX) list.firstElementChild.remove();
    $('tail-last-id').textContent = position === null ? '-' : position;
  }

  // ---- start ----

  function stopPolling() {
    clearInterval(polling);
    clearInterval(deadLetterPolling);
    polling = null;
    deadLetterPolling = null;
  }

  async function start() {
    stopPolling();
    previous = null;
    try {
      await api('/v1/stats');
    } catch (e) {
      if (!(e instanceof Refused && (e.status === 401 || e.status === 403))) {
        setStatus('cannot reach the server: ' + e.message, true);
        setTimeout(start, POLL_MILLIS * 3);
      }
      return;
    }
    showPanels();
    await poll();
    stopPolling();
    polling = setInterval(poll, POLL_MILLIS);
    deadLetterPolling = setInterval(loadDeadLetters, POLL_MILLIS * 2);
  }

  start();
})();
