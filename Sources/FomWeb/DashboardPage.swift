/// The dashboard: one page, compiled into the binary (no npm, no CDN, works offline). Plain
/// JavaScript: the table follows `/events` (Server-Sent Events from the daemon's watch
/// stream); every button calls the JSON API with the `X-Fom: 1` header.
enum DashboardPage {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>fom</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <header><h1>fom</h1><span id="conn" role="status">connecting…</span></header>
        <main>
        <p id="message" role="status" aria-live="polite"></p>
        <div class="scroll">
        <table id="instances">
        <caption>Instances</caption>
        <thead><tr><th scope="col">id</th><th scope="col">name</th><th scope="col">status</th><th scope="col">pid</th>
        <th scope="col">uptime</th><th scope="col">restarts</th><th scope="col">cpu</th><th scope="col">memory</th>
        <th scope="col">port</th><th scope="col">CVAT Sync</th><th scope="col">actions</th></tr></thead>
        <tbody></tbody>
        </table>
        </div>
        <section id="detail" hidden>
        <h2 id="detail-title"></h2>
        <div class="tabs"><button type="button" id="show-describe">details</button>
        <button type="button" id="show-env">environment</button>
        <button type="button" id="show-logs">logs</button>
        <button type="button" id="reveal" hidden>reveal secrets</button>
        <button type="button" id="close-detail">close</button></div>
        <pre id="detail-body" tabindex="0"></pre>
        <pre id="logs" tabindex="0" aria-label="live logs" hidden></pre>
        </section>
        <section>
        <h2>Add an instance</h2>
        <form id="add-form" novalidate>
        <div class="field"><label for="add-name">name</label><input id="add-name" name="name" required autocomplete="off">
        <span class="error" id="add-name-error"></span></div>
        <div class="field"><label for="add-port">port</label><input id="add-port" name="port" inputmode="numeric">
        <span class="error" id="add-port-error"></span></div>
        <div class="field"><label for="add-database">database name</label><input id="add-database" name="database" autocomplete="off">
        <span class="error" id="add-database-error"></span></div>
        <div class="field"><label><input type="checkbox" id="add-cvat" name="cvatSync"> CVAT Sync</label>
        <span class="error" id="add-cvat-error"></span></div>
        <button type="submit" id="add-submit">add</button>
        </form>
        </section>
        </main>
        <script>
        \(script)
        </script>
        </body>
        </html>
        """

    static let css = """
        body { font-family: system-ui, sans-serif; margin: 0; color: #1d232a; background: #f6f7f9; }
        header { display: flex; align-items: baseline; gap: 1em; padding: .5em 1em; background: #24303d; color: #fff; }
        header h1 { font-size: 1.3em; margin: 0; }
        main { padding: 1em; max-width: 1400px; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        caption { text-align: left; font-weight: bold; padding: .3em 0; }
        th, td { padding: .35em .6em; border-bottom: 1px solid #dde1e6; text-align: left; white-space: nowrap; }
        .status { font-weight: bold; border-radius: 3px; padding: .1em .4em; }
        .s-online { background: #d6f5dd; color: #11602a; }
        .s-starting, .s-stopping, .s-backoff { background: #fff1c2; color: #7a5500; }
        .s-errored { background: #fbd5d5; color: #8e1212; }
        .s-stopped, .s-exited { background: #e4e7eb; color: #444; }
        button { font: inherit; padding: .2em .6em; margin: .1em; cursor: pointer; }
        button:disabled { opacity: .5; cursor: wait; }
        :focus-visible { outline: 3px solid #2f7de1; outline-offset: 1px; }
        pre { background: #11161c; color: #dfe6ee; padding: .6em; max-height: 24em; overflow: auto; white-space: pre-wrap; word-break: break-all; }
        #logs .err { color: #ff9d9d; }
        .field { margin: .4em 0; }
        .field label { display: inline-block; min-width: 8em; }
        .error { color: #b00020; margin-left: .5em; }
        #message { min-height: 1.2em; }
        #message.bad { color: #b00020; }
        .result { display: block; font-size: .85em; color: #555; white-space: normal; max-width: 28em; }
        @media (max-width: 700px) {
          th:nth-child(1), td:nth-child(1), th:nth-child(5), td:nth-child(5) { display: none; }
          main { padding: .4em; }
          .field label { display: block; }
        }
        """

    static let script = """
        'use strict';
        const rows = new Map();
        let selected = null, logSource = null, view = null;
        const $ = (id) => document.getElementById(id);
        function say(text, bad) { const m = $('message'); m.textContent = text; m.className = bad ? 'bad' : ''; }
        function fmtUptime(ms) {
          if (ms == null) return '-';
          const s = Math.floor(ms / 1000);
          if (s < 60) return s + 's';
          if (s < 3600) return Math.floor(s / 60) + 'm';
          if (s < 86400) return Math.floor(s / 3600) + 'h';
          return Math.floor(s / 86400) + 'd';
        }
        function fmtMem(b) {
          if (b == null) return '-';
          if (b < 1048576) return (b / 1024).toFixed(0) + ' KiB';
          if (b < 1073741824) return (b / 1048576).toFixed(1) + ' MiB';
          return (b / 1073741824).toFixed(2) + ' GiB';
        }
        async function api(method, path, body) {
          const opts = { method, headers: { 'X-Fom': '1' }, credentials: 'same-origin' };
          if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers['Content-Type'] = 'application/json'; }
          const r = await fetch('/api/' + path, opts);
          let data = null;
          try { data = await r.json(); } catch (e) { data = { ok: false, error: 'not JSON (' + r.status + ')' }; }
          return { ok: r.ok, data };
        }
        function button(label, cls, handler) {
          const b = document.createElement('button');
          b.type = 'button'; b.textContent = label; b.className = cls; b.addEventListener('click', handler);
          return b;
        }
        function makeRow(info) {
          const tr = document.createElement('tr');
          tr.dataset.name = info.name;
          for (const c of ['id', 'name', 'status', 'pid', 'uptime', 'restarts', 'cpu', 'memory', 'port', 'cvat', 'actions']) {
            const td = document.createElement(c === 'name' ? 'th' : 'td');
            if (c === 'name') td.scope = 'row';
            td.className = 'c-' + c; tr.appendChild(td);
          }
          const cb = document.createElement('input');
          cb.type = 'checkbox'; cb.className = 'cvat'; cb.setAttribute('aria-label', 'CVAT Sync for ' + info.name);
          cb.addEventListener('change', () => toggleCvat(info.name, cb));
          tr.querySelector('.c-cvat').appendChild(cb);
          const a = tr.querySelector('.c-actions');
          for (const op of ['start', 'stop', 'restart']) a.appendChild(button(op, 'op ' + op, () => operate(info.name, op, tr)));
          a.appendChild(button('remove', 'op remove', () => removeInstance(info.name, tr)));
          a.appendChild(button('details', 'details', () => openDetail(info.name, 'describe')));
          a.appendChild(button('logs', 'logs', () => openDetail(info.name, 'logs')));
          const res = document.createElement('span'); res.className = 'result'; res.setAttribute('aria-live', 'polite');
          a.appendChild(res);
          return tr;
        }
        function update(tr, info) {
          tr.querySelector('.c-id').textContent = info.id;
          tr.querySelector('.c-name').textContent = info.name;
          const st = tr.querySelector('.c-status');
          st.innerHTML = '';
          const span = document.createElement('span');
          span.className = 'status s-' + info.status; span.textContent = info.status;
          if (info.reason) span.title = info.reason;
          st.appendChild(span);
          tr.querySelector('.c-pid').textContent = info.pid == null ? '-' : info.pid;
          tr.querySelector('.c-uptime').textContent = fmtUptime(info.uptimeMs);
          tr.querySelector('.c-restarts').textContent = info.restarts;
          tr.querySelector('.c-cpu').textContent = info.cpuPercent == null ? '-' : info.cpuPercent.toFixed(1) + '%';
          tr.querySelector('.c-memory').textContent = fmtMem(info.memoryBytes);
          const port = tr.querySelector('.c-port');
          const want = info.port == null ? '-' : String(info.port);
          if (port.dataset.url !== (info.url || '') || port.textContent !== want) {
            port.innerHTML = ''; port.dataset.url = info.url || '';
            if (info.url) {
              const link = document.createElement('a');
              link.href = info.url; link.target = '_blank'; link.rel = 'noopener noreferrer'; link.textContent = want;
              link.title = 'open ' + info.name + ' (' + info.url + ')';
              port.appendChild(link);
            } else port.textContent = want;
          }
          const cb = tr.querySelector('input.cvat');
          if (!cb.disabled) cb.checked = !!info.cvatSync;
          tr.dataset.pid = info.pid == null ? '' : info.pid;
          tr.dataset.status = info.status;
        }
        function render(list) {
          const body = document.querySelector('#instances tbody');
          const seen = new Set();
          for (const info of list) {
            seen.add(info.name);
            let tr = rows.get(info.name);
            if (!tr) { tr = makeRow(info); rows.set(info.name, tr); }
            if (body.children[seen.size - 1] !== tr) body.insertBefore(tr, body.children[seen.size - 1] || null);
            update(tr, info);
          }
          for (const [name, tr] of rows) if (!seen.has(name)) { tr.remove(); rows.delete(name); }
        }
        function busy(tr, on) { for (const b of tr.querySelectorAll('button.op')) b.disabled = on; }
        function describeFailure(data) { return (data && data.error) || 'failed'; }
        async function operate(name, op, tr) {
          busy(tr, true);
          const res = tr.querySelector('.result');
          res.textContent = op + '…';
          try {
            const { ok, data } = await api('POST', op + '/' + encodeURIComponent(name));
            const row = Array.isArray(data) ? data.find((r) => r.name === name) : null;
            const text = ok ? op + ': ' + (row ? row.status + (row.pid ? ' (pid ' + row.pid + ')' : '') : 'done')
                            : op + ' failed: ' + describeFailure(data);
            res.textContent = text; say(name + ': ' + text, !ok);
          } finally { busy(tr, false); }
        }
        async function removeInstance(name, tr) {
          if (!window.confirm('Remove ' + name + ' from supervisor.json and stop it? Its logs are deleted.')) return;
          busy(tr, true);
          const { ok, data } = await api('POST', 'remove/' + encodeURIComponent(name));
          busy(tr, false);
          say(ok ? 'removed ' + name : 'remove of ' + name + ' failed: ' + describeFailure(data), !ok);
        }
        async function toggleCvat(name, cb) {
          const on = cb.checked;
          cb.disabled = true;
          say(name + ': turning CVAT Sync ' + (on ? 'on' : 'off') + '…');
          try {
            const { ok, data } = await api('POST', 'edit/' + encodeURIComponent(name), { cvatSync: on });
            if (!ok) { cb.checked = !on; say('CVAT Sync of ' + name + ' unchanged: ' + describeFailure(data), true); return; }
            const restarted = data.reload && (data.reload.changed || []).some((c) => c.name === name && c.restarts);
            const row = (data.instances || []).find((r) => r.name === name);
            say(name + ': CVAT Sync ' + (on ? 'on' : 'off') + (restarted ? '; the instance restarted' + (row && row.pid ? ' (pid ' + row.pid + ')' : '') : '; the instance will get it at its next start'));
          } finally { cb.disabled = false; }
        }
        function stopLogs() { if (logSource) { logSource.close(); logSource = null; } }
        async function openDetail(name, what) {
          selected = name; view = what;
          $('detail').hidden = false;
          $('detail-title').textContent = name + ': ' + (what === 'describe' ? 'details' : what === 'env' ? 'environment' : 'logs');
          $('reveal').hidden = what !== 'env';
          const body = $('detail-body'), logs = $('logs');
          stopLogs();
          if (what === 'logs') {
            body.hidden = true; logs.hidden = false; logs.textContent = '';
            logSource = new EventSource('/api/logs/' + encodeURIComponent(name) + '/follow?lines=200');
            logSource.addEventListener('lines', (e) => {
              const stick = logs.scrollTop + logs.clientHeight >= logs.scrollHeight - 4;
              for (const line of JSON.parse(e.data)) {
                const div = document.createElement('div');
                div.textContent = line.text; if (line.stream === 'err') div.className = 'err';
                logs.appendChild(div);
              }
              while (logs.childElementCount > 2000) logs.firstElementChild.remove();
              if (stick) logs.scrollTop = logs.scrollHeight;
            });
            return;
          }
          logs.hidden = true; body.hidden = false; body.textContent = 'loading…';
          const { ok, data } = await api('GET', (what === 'describe' ? 'describe/' : 'env/') + encodeURIComponent(name));
          body.textContent = ok ? JSON.stringify(data, null, 2) : 'failed: ' + describeFailure(data);
          body.focus();
        }
        $('show-describe').addEventListener('click', () => selected && openDetail(selected, 'describe'));
        $('show-env').addEventListener('click', () => selected && openDetail(selected, 'env'));
        $('show-logs').addEventListener('click', () => selected && openDetail(selected, 'logs'));
        $('close-detail').addEventListener('click', () => { stopLogs(); $('detail').hidden = true; selected = null; });
        $('reveal').addEventListener('click', async () => {
          const name = selected;
          if (!name || !window.confirm('Show the secret values of ' + name + ' on screen?')) return;
          if (!window.confirm('Really reveal them? This is recorded in fom.log (without the values).')) return;
          const { ok, data } = await api('POST', 'env/' + encodeURIComponent(name) + '/reveal', { confirm: name });
          $('detail-body').textContent = ok ? JSON.stringify(data, null, 2) : 'failed: ' + describeFailure(data);
        });
        function fieldFor(message) {
          const m = message.toLowerCase();
          if (m.includes('port')) return 'port';
          if (m.includes('database')) return 'database';
          if (m.includes('cvat')) return 'cvat';
          return 'name';
        }
        $('add-form').addEventListener('submit', async (e) => {
          e.preventDefault();
          for (const f of ['name', 'port', 'database', 'cvat']) $('add-' + f + '-error').textContent = '';
          const body = { name: $('add-name').value.trim(), port: $('add-port').value.trim(),
                         database: $('add-database').value.trim(), cvatSync: $('add-cvat').checked };
          if (!body.name) { $('add-name-error').textContent = 'a name is required'; $('add-name').focus(); return; }
          $('add-submit').disabled = true;
          say('adding ' + body.name + '…');
          try {
            const { ok, data } = await api('POST', 'add', body);
            if (ok) {
              const row = (data.instances || []).find((r) => r.name === body.name);
              say('added ' + body.name + (row ? ': ' + row.status : ''));
              $('add-form').reset();
            } else {
              const message = describeFailure(data);
              const field = data.field || fieldFor(message);
              $('add-' + field + '-error').textContent = message;
              $('add-' + field).focus();
              say('not added: ' + message, true);
            }
          } finally { $('add-submit').disabled = false; }
        });
        function connect() {
          const events = new EventSource('/events');
          events.addEventListener('rows', (e) => { $('conn').textContent = 'live'; render(JSON.parse(e.data).instances); });
          events.addEventListener('daemon', (e) => {
            $('conn').textContent = JSON.parse(e.data).connected ? 'live' : 'the daemon is not answering';
          });
          events.onerror = () => { $('conn').textContent = 'reconnecting…'; };
        }
        connect();
        """
}
