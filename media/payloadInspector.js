// @ts-check
// The payload inspector webview: renders what the host posts (an inspection from the language
// server) with DOM nodes and textContent only, so payload strings can never become markup.
(function () {
  // @ts-ignore acquireVsCodeApi is provided by the webview host
  const vscode = acquireVsCodeApi();
  const root = /** @type {HTMLElement} */ (document.getElementById('inspector'));

  /** @param {string} tag @param {Record<string, string>} [attrs] @param {Array<Node | string>} [children] */
  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    return node;
  }

  /** @param {string} title @param {string[]} headers @param {Array<Array<Node | string>>} rows @param {string} id */
  function table(title, headers, rows, id) {
    if (!rows.length) return el('section', { id }, [el('h2', {}, [title]), el('p', { class: 'empty' }, ['none'])]);
    return el('section', { id }, [
      el('h2', {}, [title]),
      el('table', {}, [
        el('thead', {}, [
          el(
            'tr',
            {},
            headers.map((h) => el('th', {}, [h])),
          ),
        ]),
        el(
          'tbody',
          {},
          rows.map((cells) =>
            el(
              'tr',
              {},
              cells.map((c) => el('td', {}, [c])),
            ),
          ),
        ),
      ]),
    ]);
  }

  /** @param {string} url @param {string} text */
  function docsLink(url, text) {
    const a = el('a', { href: '#', title: 'Open the documentation of this check' }, [text]);
    a.addEventListener('click', (event) => {
      event.preventDefault();
      vscode.postMessage({ type: 'openDocs', url });
    });
    return a;
  }

  /** @param {any} result */
  function render(result) {
    const view = result.view;
    const kind = view.kind === 'xen' ? 'Xen livepatch payload' : view.kind === 'klp' ? 'Linux livepatch module' : 'Unreadable file';
    const target = result.target;
    const header = el('header', {}, [
      el('h1', {}, [view.name]),
      el('p', { class: 'kind' }, [kind, ' · ', view.file]),
      el('p', { class: 'target' }, [
        target.state === 'ready' ? `Target: ${target.path}` : `Target ${target.state}${target.detail ? `: ${target.detail}` : ''}; target-dependent checks wait for it.`,
      ]),
    ]);
    if (view.error) header.append(el('p', { class: 'error' }, [view.error]));

    const diagnostics = el('section', { id: 'diagnostics' }, [el('h2', {}, [`Diagnostics (${result.diagnostics.length})`])]);
    if (!result.diagnostics.length) diagnostics.append(el('p', { class: 'empty' }, ['No problems: the loader would accept this payload.']));
    else {
      diagnostics.append(
        el(
          'ul',
          {},
          result.diagnostics.map((/** @type {any} */ d) =>
            el('li', { class: `severity-${d.severity}` }, [
              el('span', { class: 'severity' }, [d.severity]),
              ' ',
              d.docsUrl ? docsLink(d.docsUrl, d.code) : el('span', {}, [d.code]),
              ' ',
              d.where ? el('code', {}, [d.where]) : '',
              d.where ? ': ' : '',
              d.message,
            ]),
          ),
        ),
      );
    }

    const chain = el('section', { id: 'chain' }, [
      el('h2', {}, ['Build-id chain']),
      el(
        'ol',
        { class: 'chain' },
        view.chain.map((/** @type {any} */ link) =>
          el('li', { class: link.problem ? 'problem' : link.matchesTarget === false ? 'other' : '' }, [
            el('span', { class: 'role' }, [link.role]),
            ' ',
            el('code', {}, [link.buildId ?? `(${link.problem})`]),
            link.matchesTarget === false ? ' (not the target)' : '',
          ]),
        ),
      ),
    ]);

    root.replaceChildren(
      header,
      diagnostics,
      table(
        'Functions',
        ['Where', 'Old function', 'Old', 'New', 'old_size', 'new_size', 'Address'],
        view.functions.map((/** @type {any} */ f) => [f.where, f.oldName, f.old, f.new, String(f.oldSize ?? ''), String(f.newSize ?? ''), f.oldAddress ?? '']),
        'functions',
      ),
      chain,
      table(
        'Hooks and callbacks',
        ['Kind', 'Section', 'Functions'],
        view.hooks.map((/** @type {any} */ h) => [h.kind, h.section, h.functions.join(', ')]),
        'hooks',
      ),
      table(
        'Facts',
        ['', ''],
        view.facts.map((/** @type {any} */ f) => [f.label, f.value]),
        'facts',
      ),
      table(
        '.modinfo',
        ['Key', 'Value'],
        view.modinfo.map((/** @type {any} */ m) => [m.key, m.value]),
        'modinfo',
      ),
      table(
        'Sections',
        ['Nr', 'Name', 'Type', 'Flags', 'Size', 'Relocations'],
        view.sections.map((/** @type {any} */ s) => [String(s.index), s.name, s.type, s.flags, String(s.size), String(s.relocations || '')]),
        'sections',
      ),
    );
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'inspection') render(message.result);
    else if (message.type === 'error') root.replaceChildren(el('p', { class: 'error' }, [message.message]));
  });
  vscode.postMessage({ type: 'ready' });
})();
