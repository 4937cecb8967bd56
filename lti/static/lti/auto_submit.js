// Sends the deep linking response back to the LMS without a click (the button stays for no-script use).
document.getElementById("lti-deep-link-return").submit();
