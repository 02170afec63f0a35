// The frame of "Try the extension": the studio page plays the component's Java side
// (window.parent.pacJavaSide is what addJavascriptInterface would add), and the .aix's own
// pac_webview.html is written into this document unchanged, so its scripts run as in the
// phone's WebView.
window.PersonalAudioClassifier = window.parent.pacJavaSide;
fetch("pac_webview.html")
  .then((response) => {
    if (!response.ok) throw new Error(`pac_webview.html: HTTP ${response.status}`);
    return response.text();
  })
  .then((html) => {
    document.open();
    document.write(html);
    document.close();
  })
  .catch((err) => window.parent.pacJavaSide.failed(String(err)));
