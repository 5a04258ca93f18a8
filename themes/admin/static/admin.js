/* The editor's live preview and autosave. No framework; CSP allows only this file. */
(function () {
  'use strict';
  var form = document.getElementById('editor');
  if (!form) return;
  var body = document.getElementById('body');
  var preview = document.getElementById('preview');
  var note = document.getElementById('autosave');
  var csrf = form.querySelector('input[name=csrf]').value;
  var timer = null, dirty = false;

  function post(url, data) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: data
    });
  }

  function refresh() {
    var data = new URLSearchParams();
    data.set('body', body.value);
    post('/preview', data).then(function (r) { return r.ok ? r.text() : ''; }).then(function (html) {
      /* The server sanitised it: the same HTML the public page will carry. */
      if (html) preview.innerHTML = html;
    });
  }

  /* Drafts and stories in review save themselves; published ones never go live half-edited. */
  function autosave() {
    var status = form.querySelector('select[name=status]').value;
    if (!dirty || !form.dataset.id || (status !== 'draft' && status !== 'review')) return;
    dirty = false;
    post(form.action, new URLSearchParams(new FormData(form))).then(function (r) {
      note.textContent = r.ok ? 'Draft saved ' + new Date().toLocaleTimeString() : 'Autosave failed';
    });
  }

  body.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  form.addEventListener('input', function () { dirty = true; });
  setInterval(autosave, 30000);
  if (body.value) refresh();
})();
