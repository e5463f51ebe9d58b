// The Keyway console's page: plain JavaScript, no build step, nothing fetched from elsewhere.
// Statuses arrive as server-sent events (/events); controls POST the command's JSON to /api/command with the
// page's CSRF token, after an in-page confirmation, and show the coordinator's answer.
'use strict';

(function () {
  const meta = name => document.querySelector('meta[name="' + name + '"]').content;
  const CSRF = meta('keyway-csrf');
  const SINCE = Number(meta('keyway-since'));
  const BASIC = meta('keyway-basic') === 'true';
  const MAX_SEGMENTS = Number(meta('keyway-max-segments'));
  const $ = id => document.getElementById(id);
  const migrations = new Map();
  const history = []; // the history entries the console keeps, oldest first (each {entry, details})
  let selected = null;

  // ---- small helpers ----
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  const int = n => n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US');
  const time = ms => ms ? new Date(ms).toLocaleTimeString('en-GB') : '—';
  const dateTime = ms => ms ? new Date(ms).toLocaleString('en-GB') : '—';
  function duration(seconds) {
    if (!isFinite(seconds) || seconds < 0) return '—';
    seconds = Math.round(seconds);
    const h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    return h > 0 ? h + 'h ' + m + 'm' : m > 0 ? m + 'm ' + s + 's' : s + 's';
  }
  function rate(r) {
    return r >= 100 ? Math.round(r).toLocaleString('en-US') : r.toFixed(1);
  }

  // ---- what a status means for the page ----
  // a verify runs as a run does: its segments get tasks, it has a rate and an ETA, it can be paused
  const running = s => s.state === 'inProgress' || s.state === 'verifying';
  const ended = s => s.state === 'success' || s.state === 'verified';
  function shownState(s) {
    return running(s) && s.throttledBy ? 'throttled' : s.state;
  }
  const LABELS = {inProgress: 'running', paused: 'paused', throttled: 'throttled', success: 'succeeded',
    failed: 'failed', canceled: 'canceled', unknown: 'unknown', verifying: 'verifying', verified: 'verified',
    verifyFailed: 'verify failed'};
  function badge(s) {
    const st = shownState(s);
    let label = LABELS[st] || st;
    if (s.state === 'paused' && s.pausedBy === 'health') label = 'paused by health';
    // an undo (bin/migrate undo) runs as a run does: its badge says what it takes back, and how many rows it left
    if (s.runKind === 'undo' && running(s)) label = 'undoing';
    if (s.runKind === 'undo' && s.state === 'success') label = 'undone' + (s.conflicts ? ', ' + s.conflicts + ' conflicts' : '');
    return el('span', {class: 'badge state-badge ' + st, 'data-state': s.state, text: label});
  }
  function percent(s) {
    if (ended(s)) return 100;
    if (!s.total) return null;
    return Math.min(100, s.processed * 100 / s.total);
  }
  function eta(m) {
    const s = m.status;
    if (ended(s)) return 'done';
    if (s.state === 'paused') return 'paused';
    if (!running(s)) return '—';
    if (!s.total || m.rowsPerSecond <= 0) return '—';
    return duration(Math.max(0, s.total - s.processed) / m.rowsPerSecond);
  }
  function limits(s) {
    const parts = [];
    const l = s.limits || {};
    if (l.maxRowsPerSecond) parts.push('≤ ' + int(l.maxRowsPerSecond) + ' rows/s');
    parts.push('batch ≤ ' + int(s.batchSize));
    if (l.targetBatchMillis) parts.push(l.targetBatchMillis + ' ms/batch');
    if (l.maxConcurrency) parts.push(l.maxConcurrency + ' at once');
    return parts.join(' · ');
  }
  function heldBackBy(s) {
    if (s.state === 'paused') return s.pausedBy === 'health' ? 'paused by health' + (s.throttledBy ? ': ' + s.throttledBy : '') : 'paused';
    if (s.throttledBy) return 'health: ' + s.throttledBy;
    return s.limitedBy || '—';
  }
  function bar(s, pct, label) {
    const fill = el('div', {class: 'bar-fill'});
    fill.style.width = (pct === null ? 0 : pct.toFixed(2)) + '%';
    return el('div', {class: 'bar ' + shownState(s), 'data-percent': pct === null ? '' : pct.toFixed(1)},
      fill, el('span', {class: 'bar-label', text: label}));
  }

  // ---- the table ----
  function renderTable() {
    const body = $('migrations');
    if (migrations.size === 0) return;
    body.replaceChildren();
    for (const name of [...migrations.keys()].sort()) {
      const m = migrations.get(name), s = m.status, pct = percent(s);
      const label = (pct === null ? '' : pct.toFixed(1) + '% · ') + int(s.processed) + (s.total ? ' / ' + int(s.total) : '') + ' rows';
      const started = s.requestedBy ? s.requestedBy : '—';
      const row = el('tr', {class: 'migration ' + shownState(s) + (name === selected ? ' selected' : ''), 'data-migration': name},
        el('td', {class: 'name', text: name}),
        el('td', {}, badge(s)),
        el('td', {}, bar(s, pct, label)),
        el('td', {class: 'num rate', text: running(s) ? rate(m.rowsPerSecond) : '—'}),
        el('td', {class: 'num eta', text: eta(m)}),
        el('td', {class: 'limits small', text: limits(s)}),
        el('td', {class: 'held small', text: heldBackBy(s)}),
        el('td', {class: 'small started'}, started, el('br'), time(s.latestStart)));
      row.addEventListener('click', () => select(name));
      body.append(row);
    }
  }

  // ---- one migration's detail ----
  function select(name) {
    selected = name;
    $('detail').hidden = false;
    render();
  }
  // the terms of a <dl>: each [name, value] a dt and a dd whose class is the name (spaces as dashes)
  const terms = kv => kv.flatMap(([k, v]) => [el('dt', {text: k}), el('dd', {class: k.replaceAll(' ', '-'), text: v})]);
  function fact(k, v) {
    return el('div', {class: 'fact'}, el('div', {class: 'k', text: k}), el('div', {class: 'v', text: v}));
  }
  function renderDetail() {
    const m = migrations.get(selected);
    if (!m) {
      $('detail-title').textContent = selected;
      $('detail-facts').replaceChildren(fact('status', 'none yet: waiting for the coordinator'));
      return;
    }
    const s = m.status;
    $('detail').dataset.migration = s.name;
    $('detail-title').textContent = s.name;
    $('detail-badge').replaceWith(Object.assign(badge(s), {id: 'detail-badge'}));
    const lc = s.lastCommand;
    $('detail-facts').replaceChildren(
      fact('processed', int(s.processed) + (s.total ? ' of ' + int(s.total) : '')),
      fact('rows/s (last minute)', running(s) ? rate(m.rowsPerSecond) : '—'),
      fact('ETA', eta(m)),
      fact('limits in force', limits(s)),
      fact('held back by', heldBackBy(s)),
      fact('started by', (s.requestedBy || '—') + ' at ' + dateTime(s.latestStart)),
      fact('ended', dateTime(s.latestEnd)),
      fact('last command', lc ? lc.command + ' by ' + (lc.requestedBy || 'someone') + ' at ' + time(lc.at) : '—'),
      fact('cursor', s.cursor === null || s.cursor === undefined ? 'start' : s.cursor),
      fact('run', s.runId || '—'),
      fact('then', s.next && s.next.length ? s.next.join(', ') : '—'),
      fact('updated', time(s.updatedAt)));
    const st = s.state;
    $('btn-pause').disabled = !running(s);
    $('btn-resume').disabled = st !== 'paused';
    $('btn-retry').disabled = !(st === 'failed' || st === 'canceled');
    $('btn-cancel').disabled = !(running(s) || st === 'paused');
    $('btn-configure').disabled = !(running(s) || st === 'paused');
    // as the coordinator: a verify follows a run that succeeded; a fix, a verify that walked every row and found some
    $('btn-verify').disabled = !((st === 'success' && s.runKind !== 'undo') || st === 'verified' || st === 'verifyFailed');
    $('btn-fix').disabled = !(st === 'verifyFailed' && s.mismatched > 0 && walkedAll(s));
    renderSegments(s);
    renderChart(m);
    renderFailure(m);
    renderDryRun(s);
    renderVerification(s);
    renderHistory(s.name);
  }

  // ---- the history topic: a migration's entries in its detail, everyone's newest under "Activity" ----
  const KINDS = {started: 'started', retried: 'retried', dryRun: 'dry run', paused: 'paused', resumed: 'resumed',
    configured: 'configured', canceled: 'canceled', failed: 'failed', succeeded: 'succeeded', rejected: 'refused',
    verified: 'verified', verifyFailed: 'verify failed'};
  // a verify or a fix starts as any run does ("started"); the coordinator's detail says which
  function kindLabel(e) {
    if (e.kind === 'started' && e.detail && e.detail.startsWith('a verify')) return 'verify started';
    if (e.kind === 'started' && e.detail && e.detail.endsWith('rows the last verify found')) return 'fix started';
    return KINDS[e.kind] || e.kind;
  }
  function historyTable(list, withName, most) {
    const th = t => el('th', {text: t});
    const rows = list.slice(-most).reverse().map(h => {
      const e = h.entry;
      return el('tr', {class: 'entry', 'data-kind': e.kind, 'data-migration': e.migration},
        el('td', {class: 'small when', text: dateTime(e.at)}),
        withName ? el('td', {class: 'name', text: e.migration}) : null,
        el('td', {}, el('span', {class: 'badge kind ' + e.kind, title: e.runId ? 'run ' + e.runId : null,
          text: kindLabel(e)})),
        el('td', {class: 'small who', text: e.by || (e.command ? 'unnamed' : 'the run')}),
        el('td', {class: 'small details', text: h.details || ''}));
    });
    return el('table', {class: 'history-table'},
      el('thead', {}, el('tr', {}, th('when'), withName ? th('migration') : null, th('what'), th('who'), th('details'))),
      el('tbody', {}, ...rows));
  }
  function renderHistory(name) {
    const mine = history.filter(h => h.entry.migration === name);
    $('history').hidden = false;
    $('history-entries').replaceChildren(mine.length ? historyTable(mine, false, 50)
      : el('p', {class: 'note', text: 'No entry for ' + name + ' in the history the console keeps.'}));
  }
  function renderActivity() {
    if (history.length === 0) return;
    $('activity-entries').replaceChildren(historyTable(history, true, 12));
  }
  function renderSegments(s) {
    const segs = s.segments || [];
    const share = s.total && segs.length ? s.total / segs.length : null;
    $('segments').replaceChildren(...segs.map(g => {
      const pct = g.done ? 100 : share ? Math.min(99, g.processed * 100 / share) : null;
      const range = '(' + (g.from === null || g.from === undefined ? 'start' : g.from) + ', '
        + (g.to === null || g.to === undefined ? 'end' : g.to) + ']';
      const where = g.done ? 'done' : 'at ' + (g.cursor === null || g.cursor === undefined ? 'its start' : g.cursor);
      return el('tr', {class: 'segment', 'data-segment': g.index},
        el('td', {class: 'num', text: g.index}),
        el('td', {class: 'small', text: range}),
        el('td', {}, bar(s, pct, where)),
        el('td', {class: 'num', text: int(g.processed)}),
        el('td', {class: 'small', text: g.delayedBy || '—'}));
    }));
  }
  function renderChart(m) {
    const NS = 'http://www.w3.org/2000/svg';
    const svgEl = (tag, attrs) => {
      const e = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      return e;
    };
    const W = 600, H = 180, L = 52, R = 10, T = 10, B = 22;
    const svg = svgEl('svg', {viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'none', id: 'rate-chart'});
    const samples = m.samples || [];
    const points = [];
    for (let i = 1, j = 0; i < samples.length; i++) {
      while (j < i - 1 && samples[i][0] - samples[j + 1][0] >= 5000) j++;
      const dt = samples[i][0] - samples[j][0];
      if (dt > 0) points.push([samples[i][0], (samples[i][1] - samples[j][1]) * 1000 / dt]);
    }
    const limit = m.status.limits && m.status.limits.maxRowsPerSecond;
    if (points.length < 2) {
      const t = svgEl('text', {x: L, y: H / 2});
      t.textContent = running(m.status) ? 'waiting for samples (one a second while the run makes progress)'
        : 'no samples of this run: it made no progress while this console watched';
      svg.append(t);
    } else {
      const t0 = points[0][0], t1 = points[points.length - 1][0];
      const max = Math.max(1, limit || 0, ...points.map(p => p[1])) * 1.1;
      const x = t => L + (t - t0) / Math.max(1, t1 - t0) * (W - L - R);
      const y = r => T + (1 - r / max) * (H - T - B);
      const line = points.map(p => x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1)).join(' ');
      svg.append(svgEl('polygon', {class: 'area', points: x(t0) + ',' + y(0) + ' ' + line + ' ' + x(t1) + ',' + y(0)}));
      svg.append(svgEl('polyline', {class: 'line', points: line}));
      if (limit) svg.append(svgEl('line', {class: 'limit', x1: L, x2: W - R, y1: y(limit), y2: y(limit)}));
      const label = (text, attrs) => { const e = svgEl('text', attrs); e.textContent = text; svg.append(e); };
      label(rate(max / 1.1), {x: 4, y: T + 10});
      label('0', {x: 4, y: H - B});
      label(time(t0), {x: L, y: H - 6});
      label(time(t1), {x: W - R - 52, y: H - 6});
      if (limit) label('limit ' + int(limit), {x: W - R - 90, y: y(limit) - 4});
    }
    svg.append(svgEl('line', {x1: L, x2: L, y1: T, y2: H - B, stroke: '#cbd5e1'}));
    svg.append(svgEl('line', {x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: '#cbd5e1'}));
    $('chart').replaceChildren(svg);
  }
  function renderFailure(m) {
    const s = m.status, f = s.failedBatch;
    const show = s.state === 'failed' || !!f;
    $('failure').hidden = !show;
    if (!show) return;
    $('failure-error').textContent = s.error || '(no error recorded)';
    const kv = [];
    if (f) {
      kv.push(['segment', f.segment], ['cursor', f.cursor === null ? 'start' : f.cursor],
        ['document id', f.documentId || '—']);
      if (f.task) kv.push(['task', f.task.topic + ' partition ' + f.task.partition + ' offset ' + f.task.offset]);
    }
    $('failure-facts').replaceChildren(...terms(kv));
    $('replay').textContent = (m.replay || []).join('\n\n');
  }
  function renderDryRun(s) {
    const d = s.dryRun;
    $('dryrun').hidden = !d && !s.pendingDryRun;
    if (!d && !s.pendingDryRun) return;
    if (s.pendingDryRun) {
      $('dryrun-summary').textContent = 'A dry run is in flight…';
      if (!d) { $('dryrun-diff').replaceChildren(); return; }
    } else {
      $('dryrun-summary').textContent = 'At ' + time(d.at) + ': one batch of ' + int(d.processed) + ' rows after cursor '
        + (d.cursor === null || d.cursor === undefined ? 'start' : d.cursor) + ', rolled back. ' + (d.error ? 'It failed: ' + d.error
        : d.changes.length + ' changed document(s)' + (d.omitted ? ', ' + d.omitted + ' more not shown' : '') + '.');
    }
    $('dryrun-diff').replaceChildren(...diffs(d.changes));
  }
  // a document's fields before and after migrateOne: [field, before, after], each value as JSON
  function fields(c) {
    const before = c.before || {}, after = c.after || {};
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].map(k => [k,
      k in before ? JSON.stringify(before[k]) : '(absent)',
      c.after === null ? '(deleted)' : k in after ? JSON.stringify(after[k]) : '(absent)']);
  }
  const diffRow = (f, attrs, ...first) => el('tr', Object.assign({class: f[1] === f[2] ? 'same' : 'changed'}, attrs),
    ...first, el('td', {text: f[0]}), el('td', {class: 'before', text: f[1]}), el('td', {class: 'after', text: f[2]}));
  const diffHead = (...names) => el('thead', {}, el('tr', {}, ...names.map(n => el('th', {text: n}))));
  // a dry run's changed documents: each with every field, the changed ones marked
  function diffs(changes) {
    return changes.map(c => el('div', {class: 'diff', 'data-document': c.id}, el('div', {class: 'doc', text: 'document ' + c.id}),
      el('table', {}, diffHead('field', 'before', 'after'), el('tbody', {}, ...fields(c).map(f => diffRow(f))))));
  }
  // a verify's sample in one table: the fields migrateOne would still change ($writes, $error: a write it would make
  // through ctx.db(), or what it threw)
  function changedFields(sample) {
    if (!sample.length) return [];
    const rows = sample.flatMap(c => fields(c).filter(f => f[1] !== f[2])
      .map(f => diffRow(f, {'data-document': c.id}, el('td', {class: 'doc-id', text: c.id}))));
    return [el('table', {class: 'diff sample'}, diffHead('document', 'field', 'the row as read', 'migrateOne would make it'),
      el('tbody', {}, ...rows))];
  }
  const walkedAll = s => (s.segments || []).length > 0 && s.segments.every(g => g.done);
  const nRows = n => int(n) + (n === 1 ? ' row' : ' rows');
  // what the last verify found: shown while a verify runs and after it, and during and after the fix of its findings
  function renderVerification(s) {
    const kind = s.runKind || 'migrate', found = s.mismatched || 0, sample = s.verifySample || [];
    const show = kind === 'verify' || found > 0 || sample.length > 0;
    $('verify').hidden = !show;
    if (!show) return;
    let summary;
    if (kind === 'fix') {
      summary = 'The last verify found ' + nRows(found) + ' that migrateOne would still change. Their fix '
        + (s.state === 'success' ? 'migrated ' + nRows(s.processed) + ', each once: Verify checks the table again.'
        : running(s) ? 'runs: ' + int(s.processed) + ' of ' + nRows(found) + ' so far.'
        : 'is ' + (LABELS[s.state] || s.state) + ' after ' + nRows(s.processed) + (s.error ? ': ' + s.error : '') + '.');
    } else if (kind !== 'verify') {
      summary = 'The last verify found ' + nRows(found) + ' that migrateOne would still change.';
    } else if (running(s) || s.state === 'paused') {
      summary = 'A verify reads every row without locks and writes nothing' + (s.state === 'paused' ? ' (paused)' : '')
        + ': ' + int(s.processed) + (s.total ? ' of ' + int(s.total) : '') + ' rows so far, ' + int(found)
        + ' would still change.';
    } else if (s.state === 'verified') {
      summary = 'The verify walked all ' + nRows(s.processed) + ' (ended ' + dateTime(s.latestEnd)
        + '): none would still change.';
    } else if (walkedAll(s)) {
      summary = 'The verify walked ' + nRows(s.processed) + ' (ended ' + dateTime(s.latestEnd) + '): ' + nRows(found)
        + ' would still change (migrateOne returns a different value, writes through ctx.db() or throws).';
    } else {
      summary = 'The verify stopped after ' + nRows(s.processed) + (s.error ? ': ' + s.error : '') + '. '
        + nRows(found) + ' found so far; Verify resumes it.';
    }
    $('verify-summary').textContent = summary;
    const kv = kind === 'verify' ? [['rows walked', int(s.processed)]] : [];
    kv.push([kind === 'fix' ? 'the last verify found' : 'would still change', int(found)]);
    $('verify-facts').replaceChildren(...terms(kv));
    $('verify-diff').replaceChildren(...changedFields(sample));
    const code = text => el('code', {text: text});
    const hint = [];
    if (kind === 'fix') {
      hint.push('Check again: ', code('bin/migrate verify ' + s.name), ' (Verify, above).');
    } else if (found > 0 && kind === 'verify' && !(s.state === 'verifyFailed' && walkedAll(s))) {
      hint.push('Those found so far: ', code('bin/migrate verify ' + s.name + ' --list'), '. Fix (',
        code('--fix'), ') migrates them once a verify has walked every row.');
    } else if (found > 0) {
      hint.push(sample.length < found ? 'The first ' + sample.length + ' shown; all ' + int(found) + ': ' : 'All of them: ',
        code('bin/migrate verify ' + s.name + ' --list'), '. Migrate just them, each exactly once: ',
        code('bin/migrate verify ' + s.name + ' --fix'), ' (Fix, above), once the cause is found.');
      if (kind === 'verify' && found === s.processed) {
        hint.push(' Every row walked would change: a migrateOne that is not idempotent (counter + 1) does that, and a'
          + ' fix would apply it to them a second time.');
      }
    }
    $('verify-hint').replaceChildren(...hint);
  }

  function render() {
    renderTable();
    if (selected) renderDetail();
  }

  // ---- controls ----
  function operator() {
    return BASIC ? 'basic-auth user' : $('operator').value.trim();
  }
  function showAnswer(kind, text) {
    const a = $('answer');
    a.className = 'answer ' + kind;
    a.dataset.kind = kind;
    a.textContent = text;
    a.hidden = false;
  }
  function confirmThen(text, command, send) {
    $('confirm-text').textContent = text;
    $('confirm-json').textContent = JSON.stringify(command, null, 1);
    $('confirm').hidden = false;
    $('confirm-yes').onclick = () => { $('confirm').hidden = true; send(); };
    $('confirm-no').onclick = () => { $('confirm').hidden = true; };
    $('confirm-yes').focus();
  }
  function command(cmd, text) {
    const what = cmd.kind || cmd.type;
    if (!BASIC && !operator()) {
      showAnswer('error', 'Type your name in the operator field first: the status records who acted.');
      $('operator').focus();
      return;
    }
    confirmThen(text, cmd, async () => {
      showAnswer('pending', 'Sent ' + what + ' ' + cmd.fn + ': waiting for the coordinator…');
      try {
        const res = await fetch('/api/command', {method: 'POST', credentials: 'same-origin',
          headers: {'Content-Type': 'application/json', 'X-Keyway-Csrf': CSRF},
          body: JSON.stringify(Object.assign({}, cmd, BASIC ? {} : {requestedBy: operator()}))});
        const body = await res.json();
        if (body.answer === 'accepted') {
          showAnswer('accepted', cmd.fn + ': ' + what + ' accepted: ' + body.action + (body.detail ? ' (' + body.detail + ')' : ''));
        } else if (body.answer === 'rejected') {
          showAnswer('rejected', cmd.fn + ': ' + what + ' rejected: ' + body.reason);
        } else {
          showAnswer('error', what + ' not sent (HTTP ' + res.status + '): ' + (body.error || JSON.stringify(body)));
        }
      } catch (e) {
        showAnswer('error', what + ' not sent: ' + e);
      }
    });
  }
  const num = id => { const v = $(id).value.trim(); return v === '' ? null : Number(v); };
  function steer(type, text, kind) {
    command(Object.assign({type: type, fn: selected}, kind ? {kind: kind} : {}), text.replaceAll('FN', selected));
  }
  function wireControls() {
    $('operator').value = localStorage.getItem('keyway.operator') || '';
    $('operator').addEventListener('change', () => localStorage.setItem('keyway.operator', $('operator').value.trim()));
    if (BASIC) $('operator-label').hidden = true;
    $('detail-close').addEventListener('click', () => { selected = null; $('detail').hidden = true; render(); });
    $('btn-pause').addEventListener('click', () => steer('pause', 'Pause FN after the batches in flight? It stays paused until resumed.'));
    $('btn-resume').addEventListener('click', () => steer('resume', 'Resume FN from each segment\'s cursor?'));
    $('btn-cancel').addEventListener('click', () => steer('cancel', 'Cancel FN after the batches in flight? Retry goes on from its cursor later.'));
    $('btn-retry').addEventListener('click', () => steer('run', 'Retry FN from its failed batch (bin/migrate retry FN)?'));
    $('btn-verify').addEventListener('click', () => steer('run', 'Verify FN: run migrateOne over every row, reading'
      + ' without locks and writing nothing, and count the rows it would still change (bin/migrate verify FN)?'
      + ' An unfinished verify goes on where it stopped.', 'verify'));
    $('btn-fix').addEventListener('click', () => {
      const m = migrations.get(selected);
      steer('run', 'Migrate just the ' + int(m ? m.status.mismatched : null) + ' rows the last verify of FN found,'
        + ' each exactly once (bin/migrate verify FN --fix)?', 'fix');
    });
    $('btn-configure').addEventListener('click', () => {
      const cmd = {type: 'configure', fn: selected};
      const fields = {batchSize: 'cfg-batch', maxRowsPerSecond: 'cfg-rate', targetBatchMillis: 'cfg-target', maxConcurrency: 'cfg-concurrency'};
      for (const [k, id] of Object.entries(fields)) if (num(id) !== null) cmd[k] = num(id);
      if (Object.keys(cmd).length === 2) {
        showAnswer('error', 'Give a batch size, a rows/s limit, a batch ms target or a concurrency to change.');
        return;
      }
      command(cmd, 'Change the limits of ' + selected + ' from its next batches?');
    });
    const run = dry => {
      const fn = $('run-fn').value.trim();
      if (!fn) { showAnswer('error', 'Name the migration to run.'); return; }
      const cmd = {type: 'run', fn: fn};
      const next = $('run-next').value.split(',').map(x => x.trim()).filter(x => x);
      if (next.length) cmd.next = next;
      const start = document.querySelector('input[name=start]:checked').value;
      if (start === 'beginning') cmd.cursor = null;
      if (start === 'cursor') cmd.cursor = $('run-cursor').value;
      for (const [k, id] of Object.entries({batchSize: 'run-batch', segments: 'run-segments', maxRowsPerSecond: 'run-rate',
        targetBatchMillis: 'run-target', maxConcurrency: 'run-concurrency'})) if (num(id) !== null) cmd[k] = num(id);
      // as the command line's --max-concurrency 0: every segment, so that the coordinator's default does not apply
      if (cmd.maxConcurrency === 0) cmd.maxConcurrency = MAX_SEGMENTS;
      cmd.dryRun = dry;
      command(cmd, dry ? 'Dry run ' + fn + ': one batch applied and rolled back, its before/after shown here?'
        : 'Run ' + fn + (next.length ? ', then ' + next.join(', ') : '') + '?');
      if (dry) select(fn);
    };
    $('run-form').addEventListener('submit', e => { e.preventDefault(); run(false); });
    $('run-dry').addEventListener('click', () => run(true));
    $('answer').addEventListener('click', () => { $('answer').hidden = true; });
  }

  // ---- the stream ----
  function connect() {
    const es = new EventSource('/events');
    // a new stream sends every migration and the whole history kept again: start the history over
    es.onopen = () => { history.length = 0; $('live').className = 'live on'; $('live').textContent = 'live'; };
    es.onerror = () => { $('live').className = 'live off'; $('live').textContent = 'reconnecting…'; };
    es.addEventListener('migration', e => {
      const m = JSON.parse(e.data);
      migrations.set(m.status.name, m);
      render();
    });
    es.addEventListener('history', e => {
      const h = JSON.parse(e.data);
      history.push(h);
      if (history.length > 1000) history.shift();
      renderActivity();
      if (selected === h.entry.migration) renderHistory(selected);
    });
  }

  wireControls();
  $('since-note').textContent = 'Rows/s, ETA and charts come from samples this console took since it started, at '
    + dateTime(SINCE) + '; states, progress and limits are the coordinator\'s own.';
  connect();
})();
