// Security keys (WebAuthn) on the second-factor pages: the browser's own navigator.credentials, through
// GitHub's webauthn-json (served from this site with allauth's MFA app). The server's options come from
// the page (json_script "webauthn-options"); the browser's answer is posted in the form's "credential".
(function () {
  'use strict'

  function options () {
    return JSON.parse(document.getElementById('webauthn-options').textContent)
  }

  document.querySelectorAll('form[data-webauthn]').forEach(function (form) {
    const start = form.querySelector('[data-webauthn-start]')
    const failure = form.querySelector('[data-webauthn-failure]')
    if (!window.PublicKeyCredential || !window.webauthnJSON) {
      return // the page says so in its <noscript> / unsupported text; the code form still works
    }
    form.querySelectorAll('[data-webauthn-unsupported]').forEach(function (note) { note.hidden = true })
    start.hidden = false
    start.addEventListener('click', async function (event) {
      event.preventDefault()
      failure.hidden = true
      if (form.dataset.webauthn === 'create' && !form.reportValidity()) {
        return
      }
      try {
        const data = options()
        const credential = form.dataset.webauthn === 'create'
          ? await window.webauthnJSON.create(data.creation_options)
          : await window.webauthnJSON.get(data.request_options)
        form.querySelector('input[name="credential"]').value = JSON.stringify(credential)
        form.submit()
      } catch (error) {
        failure.hidden = false
        failure.focus()
      }
    })
  })
})()
