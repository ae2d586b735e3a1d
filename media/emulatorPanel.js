// @ts-check
// The emulator panel webview: renders the content the host computes (panelContent.ts) with DOM
// nodes and textContent only, so guest output can never become markup, then tells the host what
// it drew. Theme colours come from VS Code's CSS variables (emulatorPanel.css).
(function () {
  // @ts-ignore acquireVsCodeApi is provided by the webview host
  const vscode = acquireVsCodeApi();
  const root = /** @type {HTMLElement} */ (document.getElementById('panel'));

  /** @param {string} tag @param {Record<string, string>} [attrs] @param {Array<Node | string>} [children] */
  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    return node;
  }

  /** @param {string} label @param {any} action */
  function button(label, action) {
    const b = el('button', { type: 'button' }, [label]);
    b.addEventListener('click', () => vscode.postMessage({ type: 'action', ...action }));
    return b;
  }

  /** A session's heading with its Reset button (a fresh boot, as the view's Reset). @param {string} title @param {string} runtime */
  function sessionHeading(title, runtime) {
    return el('div', { class: 'heading' }, [el('h2', {}, [title]), button('Reset', { action: 'reset', runtime })]);
  }

  const universeName = { old: 'old universe (unpatched)', new: 'new universe (patched)', none: 'no transition' };

  /** One task: its name, then a track with the old universe left and the new one right, a dot where it runs. @param {any} task @param {any} transition */
  function taskRow(task, transition) {
    const dot = el('span', { class: `dot ${task.universe}${task.pending ? ' pending' : ''}`, title: universeName[task.universe] });
    const track = el('span', { class: `track to-${transition ? transition.to : 'none'}` }, [dot]);
    const blocked = task.blockedIn === undefined ? '' : task.blockedIn ? `blocked in ${task.blockedIn}` : 'blocked: running';
    const row = el(
      'tr',
      { class: `task ${task.blockedIn !== undefined ? 'blocking' : ''}`, title: task.stack.length ? `stack, innermost first:\n${task.stack.join('\n')}` : 'running' },
      [
        el('td', { class: 'comm' }, [task.comm]),
        el('td', { class: 'pid' }, [String(task.pid)]),
        el('td', { class: 'state' }, [task.state]),
        el('td', { class: 'patch-state' }, [String(task.patchState)]),
        el('td', { class: 'universe' }, [track]),
        el('td', { class: 'blocked' }, [blocked ? el('code', {}, [blocked]) : '']),
      ],
    );
    row.dataset.summary = [task.comm, task.pid, task.universe, task.pending ? 'pending' : '', blocked].filter(Boolean).join(' ');
    return row;
  }

  /** @param {any} linux */
  function linuxSection(linux) {
    const t = linux.transition;
    const section = el('section', { id: 'linux' }, [sessionHeading('Linux kernel', 'linux'), el('p', { class: 'sub' }, [linux.version ?? 'not booted'])]);
    if (linux.panicked) section.append(el('p', { class: 'error' }, [`panicked: ${linux.panicked}`]));
    section.append(el('p', {}, linux.patches.length ? [linux.patches.join('; ')] : [el('span', { class: 'empty' }, ['no livepatch enabled'])]));
    const heading = t
      ? `Transition: ${t.patch} → ${t.target} · ${t.switched} switched, ${t.pending} to switch${t.blocking ? `, ${t.blocking} blocking` : ''}`
      : 'No transition in flight';
    const head = el('h3', { id: 'transition' }, [heading]);
    const actions = t ? [button(`Force ${t.patch}`, { action: 'force', patch: t.patch })] : [];
    section.append(
      el('div', { class: 'heading' }, [head, ...actions]),
      el('table', { class: 'tasks' }, [
        el('thead', {}, [
          el('tr', {}, [
            el('th', {}, ['task']),
            el('th', {}, ['pid']),
            el('th', {}, ['state']),
            el('th', { title: '/proc/PID/patch_state' }, ['patch_state']),
            el('th', { class: 'universe' }, [
              el('span', { class: 'legend' }, [el('span', {}, ['old']), el('span', {}, [t ? `→ ${t.to === 'new' ? 'patched' : 'unpatched'}` : '']), el('span', {}, ['new'])]),
            ]),
            el('th', {}, ['what blocks it']),
          ]),
        ]),
        el(
          'tbody',
          {},
          linux.tasks.map((/** @type {any} */ task) => taskRow(task, t)),
        ),
      ]),
    );
    return section;
  }

  /** @param {any} xen */
  function xenSection(xen) {
    const section = el('section', { id: 'xen' }, [sessionHeading('Xen hypervisor', 'xen'), el('p', { class: 'sub' }, [xen.buildId ? `build-id ${xen.buildId}` : 'not booted'])]);
    if (xen.panicked) section.append(el('p', { class: 'error' }, [`panicked: ${xen.panicked}`]));
    section.append(
      el('p', {}, [xen.payloads.length ? xen.payloads.join('; ') : el('span', { class: 'empty' }, ['no payload uploaded'])]),
      el('p', { class: 'sub' }, [`applied stack: ${xen.applied.length ? xen.applied.join(' ← ') : 'empty'}`]),
    );
    return section;
  }

  /** Drawn events by seq: an event never changes once logged, so each is built once. @type {Map<number, HTMLElement>} */
  let drawnEvents = new Map();

  /** @param {any} event */
  function eventItem(event) {
    return el('li', { class: `event ${event.exitCode ? 'failed' : ''}` }, [
      el('div', { class: 'command' }, [
        el('span', { class: `runtime ${event.runtime}` }, [event.runtime]),
        el('code', {}, [`$ ${event.commandLine}`]),
        event.exitCode ? el('span', { class: 'exit' }, [`exit status ${event.exitCode}`]) : '',
      ]),
      el(
        'pre',
        {},
        event.lines.map((/** @type {any} */ line) => el('span', { class: line.kind }, [`${line.text}\n`])),
      ),
    ]);
  }

  /** @param {any[]} events */
  function logSection(events) {
    /** @type {Map<number, HTMLElement>} */
    const items = new Map();
    for (const event of events) items.set(event.seq, drawnEvents.get(event.seq) ?? eventItem(event));
    drawnEvents = items;
    const list = el('ol', { class: 'events' }, [...items.values()]);
    return el('section', { id: 'log' }, [el('h2', {}, [`Event log (${events.length})`]), events.length ? list : el('p', { class: 'empty' }, ['No command has run yet.'])]);
  }

  /** @param {any} content */
  function render(content) {
    if (!content.trusted) {
      root.replaceChildren(el('p', { class: 'empty' }, ['The emulator is disabled: this workspace is not trusted.']));
      return;
    }
    const sessions = [];
    if (content.linux) sessions.push(linuxSection(content.linux));
    if (content.xen) sessions.push(xenSection(content.xen));
    if (content.runtime === 'xen') sessions.reverse();
    if (!sessions.length) sessions.push(el('p', { class: 'empty' }, ['No session yet: upload a payload or insmod a module.']));
    root.replaceChildren(
      el('header', {}, [el('h1', {}, ['Livepatch Emulator']), el('p', { class: 'sub' }, [`Target: ${content.target || 'none'}`])]),
      ...sessions,
      logSection(content.events),
    );
    // The log scrolls in its own box, newest last: the transition picture stays in view.
    const list = document.querySelector('.events');
    if (list) list.scrollTop = list.scrollHeight;
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type !== 'content') return;
    render(message.content);
    vscode.postMessage({
      type: 'rendered',
      seq: message.seq,
      taskRows: [...document.querySelectorAll('tr.task')].map((row) => /** @type {HTMLElement} */ (row).dataset.summary ?? ''),
      events: [...document.querySelectorAll('.events .command code')].map((code) => (code.textContent ?? '').replace(/^\$ /, '')),
      transition: document.getElementById('transition')?.textContent ?? '',
    });
  });
  vscode.postMessage({ type: 'ready' });
})();
