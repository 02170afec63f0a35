package org.pac.classifier;

import android.util.Base64;
import android.webkit.JavascriptInterface;
import android.webkit.PermissionRequest;
import android.webkit.WebChromeClient;
import android.webkit.WebResourceRequest;
import android.webkit.WebResourceResponse;
import android.webkit.WebSettings;
import android.webkit.WebView;
import android.webkit.WebViewClient;
import com.google.appinventor.components.annotations.DesignerComponent;
import com.google.appinventor.components.annotations.DesignerProperty;
import com.google.appinventor.components.annotations.PropertyCategory;
import com.google.appinventor.components.annotations.SimpleEvent;
import com.google.appinventor.components.annotations.SimpleFunction;
import com.google.appinventor.components.annotations.SimpleObject;
import com.google.appinventor.components.annotations.SimpleProperty;
import com.google.appinventor.components.annotations.UsesAssets;
import com.google.appinventor.components.annotations.UsesPermissions;
import com.google.appinventor.components.common.ComponentCategory;
import com.google.appinventor.components.common.PropertyTypeConstants;
import com.google.appinventor.components.runtime.AndroidNonvisibleComponent;
import com.google.appinventor.components.runtime.EventDispatcher;
import com.google.appinventor.components.runtime.Form;
import com.google.appinventor.components.runtime.OnDestroyListener;
import com.google.appinventor.components.runtime.PermissionResultHandler;
import com.google.appinventor.components.runtime.util.YailList;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A personal audio classifier trained with pac, with its TensorFlow.js model
 * inside. It runs the model in a hidden WebView of its own, offline.
 *
 * <p>The component stays thin: decoding is AudioDecoder, recording Recorder,
 * the JS messages Message; resampling, windowing and the model live in the
 * JS runtime (extension/js).
 */
@DesignerComponent(
    version = 1,
    versionName = "0.1.0",
    description =
        "Classifies sounds with a model you trained with pac (Personal Audio Classifier). "
            + "Use ClassifySoundData with a recording (for example from a SoundRecorder), or "
            + "StartListening to classify the microphone continuously. Works offline.",
    category = ComponentCategory.EXTENSION,
    nonVisible = true,
    iconName = "aiwebres/icon.png",
    androidMinSdk = 21)
@SimpleObject(external = true)
@UsesAssets(fileNames = Assets.FILE_NAMES)
@UsesPermissions(permissionNames = "android.permission.RECORD_AUDIO")
public final class PersonalAudioClassifier extends AndroidNonvisibleComponent
    implements OnDestroyListener {
  /** The WebView fetches the extension's assets and decoded clips from here. */
  static final String ASSET_BASE = "https://pac.assets/";

  static final String PAGE = "pac_webview.html";
  static final String JS_INTERFACE = "PersonalAudioClassifier";
  static final String RECORD_AUDIO = "android.permission.RECORD_AUDIO";
  static final int LISTENING_RATE_HZ = 16000;

  private final WebView webView;
  private final ExecutorService decoding =
      Executors.newSingleThreadExecutor(
          new ThreadFactory() {
            @Override
            public Thread newThread(Runnable task) {
              Thread thread = new Thread(task, "PersonalAudioClassifier-decoder");
              thread.setDaemon(true);
              return thread;
            }
          });
  private final Map<String, byte[]> pcmById = new ConcurrentHashMap<String, byte[]>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile boolean ready;
  private YailList labels = YailList.makeList(new Object[0]);
  private String modelName = "";
  private float overlapFactor = 0.5f;
  private float minimumConfidence = 0.5f;
  private Recorder recorder;
  private String bridgeUrl = "";
  private volatile boolean pageStarted;

  public PersonalAudioClassifier(Form form) {
    super(form);
    form.registerForOnDestroy(this);
    webView = new WebView(form);
    webView.getSettings().setJavaScriptEnabled(true);
    // Bridge mode opens ws:// to the laptop from the https://pac.assets page.
    webView.getSettings().setMixedContentMode(WebSettings.MIXED_CONTENT_ALWAYS_ALLOW);
    webView.addJavascriptInterface(new JsInterface(), JS_INTERFACE);
    webView.setWebViewClient(new AssetClient());
    webView.setWebChromeClient(new PagePermissions());
    webView.loadUrl(ASSET_BASE + PAGE);
  }

  // --- Events ----------------------------------------------------------------------------

  @SimpleEvent(description = "The model is loaded: Labels and ModelName are set, and the "
      + "classifier is ready for ClassifySoundData and StartListening.")
  public void ClassifierReady() {
    EventDispatcher.dispatchEvent(this, "ClassifierReady");
  }

  @SimpleEvent(description = "A sound was classified. result is a list of [label, confidence] "
      + "pairs, highest confidence first; confidences are from 0 to 1 and add up to 1.")
  public void GotClassification(YailList result) {
    EventDispatcher.dispatchEvent(this, "GotClassification", result);
  }

  @SimpleEvent(description = "Something went wrong. errorCode says what (see the extension's "
      + "documentation: -11 no such file, -12 unsupported format, -14 microphone refused, ...); "
      + "errorMessage explains it.")
  public void Error(int errorCode, String errorMessage) {
    EventDispatcher.dispatchEvent(this, "Error", errorCode, errorMessage);
  }

  // --- Methods ---------------------------------------------------------------------------

  @SimpleFunction(description = "Classifies the sound in an audio file, such as the one a "
      + "SoundRecorder made (3GP), or a WAV, M4A, MP3 or Ogg file. path is the file's full "
      + "path. The answer comes in GotClassification, or Error.")
  public void ClassifySoundData(final String path) {
    if (!ready) {
      error(ErrorCodes.NOT_READY, "the classifier is not ready yet: wait for ClassifierReady");
      return;
    }
    final String file = path.startsWith("file://") ? path.substring("file://".length()) : path;
    if (!new File(file).isFile()) {
      error(ErrorCodes.FILE_NOT_FOUND, "no sound file at " + path);
      return;
    }
    final String id = "clip-" + requests.incrementAndGet();
    decoding.execute(
        new Runnable() {
          @Override
          public void run() {
            AudioDecoder.Pcm pcm;
            try {
              pcm = AudioDecoder.decode(file);
            } catch (AudioDecoder.UnsupportedFormat e) {
              error(ErrorCodes.UNSUPPORTED_FORMAT, e.getMessage());
              return;
            } catch (IOException e) {
              error(ErrorCodes.DECODE_FAILED, path + ": decoding failed: " + e.getMessage());
              return;
            } catch (RuntimeException e) {
              error(ErrorCodes.DECODE_FAILED, path + ": decoding failed: " + e);
              return;
            }
            pcmById.put(id, pcm.samples);
            callJs(
                "pac.classify("
                    + Json.quote(id)
                    + ","
                    + Json.quote(ASSET_BASE + "pcm/" + id)
                    + ","
                    + pcm.rateHz
                    + ")");
          }
        });
  }

  @SimpleFunction(description = "Starts classifying the microphone continuously: a window of "
      + "sound every so often (see OverlapFactor), and GotClassification for each one whose "
      + "top confidence reaches MinimumConfidence. Asks for the microphone permission first.")
  public void StartListening() {
    if (!ready) {
      error(ErrorCodes.NOT_READY, "the classifier is not ready yet: wait for ClassifierReady");
      return;
    }
    form.askPermission(
        RECORD_AUDIO,
        new PermissionResultHandler() {
          @Override
          public void HandlePermissionResponse(String permission, boolean granted) {
            if (granted) {
              startRecorder();
            } else {
              error(
                  ErrorCodes.PERMISSION_REFUSED,
                  "the microphone permission was refused, so the app cannot listen");
            }
          }
        });
  }

  @SimpleFunction(description = "Stops listening to the microphone.")
  public void StopListening() {
    stopRecorder();
  }

  // --- Properties ------------------------------------------------------------------------

  @SimpleProperty(category = PropertyCategory.BEHAVIOR, description = "The labels the model "
      + "knows, in the model's order. Empty until ClassifierReady.")
  public YailList Labels() {
    return labels;
  }

  @SimpleProperty(category = PropertyCategory.BEHAVIOR, description = "The name of the model "
      + "inside the extension. Empty until ClassifierReady.")
  public String ModelName() {
    return modelName;
  }

  @SimpleProperty(category = PropertyCategory.BEHAVIOR, description = "How much each listening "
      + "window overlaps the one before, from 0 to 0.9. 0.5 classifies a 1 s window every "
      + "0.5 s; higher reacts sooner and uses more battery.")
  public float OverlapFactor() {
    return overlapFactor;
  }

  @DesignerProperty(editorType = PropertyTypeConstants.PROPERTY_TYPE_NON_NEGATIVE_FLOAT,
      defaultValue = "0.5")
  @SimpleProperty
  public void OverlapFactor(float factor) {
    if (!(factor >= 0f && factor <= 0.9f)) {
      error(ErrorCodes.INVALID_ARGUMENT, "OverlapFactor must be from 0 to 0.9, got " + factor);
      return;
    }
    overlapFactor = factor;
    restartListening();
  }

  @SimpleProperty(category = PropertyCategory.BEHAVIOR, description = "While listening, "
      + "GotClassification fires only for windows whose top confidence reaches this, "
      + "from 0 to 1.")
  public float MinimumConfidence() {
    return minimumConfidence;
  }

  @DesignerProperty(editorType = PropertyTypeConstants.PROPERTY_TYPE_NON_NEGATIVE_FLOAT,
      defaultValue = "0.5")
  @SimpleProperty
  public void MinimumConfidence(float confidence) {
    if (!(confidence >= 0f && confidence <= 1f)) {
      error(ErrorCodes.INVALID_ARGUMENT, "MinimumConfidence must be from 0 to 1, got "
          + confidence);
      return;
    }
    minimumConfidence = confidence;
    restartListening();
  }

  @SimpleProperty(category = PropertyCategory.BEHAVIOR, description = "While you build your "
      + "app with the Companion: the address and pairing code that pac bridge prints, like "
      + "ws://192.168.1.20:8765?code=AB12CD (its QR code holds exactly this). Sounds are then "
      + "classified on the laptop by the newest model. Empty: the model inside the extension.")
  public String BridgeUrl() {
    return bridgeUrl;
  }

  @DesignerProperty(editorType = PropertyTypeConstants.PROPERTY_TYPE_STRING, defaultValue = "")
  @SimpleProperty
  public void BridgeUrl(String url) {
    bridgeUrl = url == null ? "" : url.trim();
    if (pageStarted) {
      callJs("pac.useBridge(" + Json.quote(bridgeUrl) + ")");
    }
  }

  @Override
  public void onDestroy() {
    stopRecorder();
    decoding.shutdownNow();
    webView.destroy();
  }

  // --- Inside ----------------------------------------------------------------------------

  private synchronized void startRecorder() {
    if (recorder != null) {
      return;
    }
    callJs("pac.startListening(" + overlapFactor + "," + minimumConfidence + ")");
    recorder =
        new Recorder(
            LISTENING_RATE_HZ,
            new Recorder.Listener() {
              @Override
              public void onChunk(byte[] pcm16) {
                callJs(
                    "pac.listenChunk("
                        + Json.quote(Base64.encodeToString(pcm16, Base64.NO_WRAP))
                        + ","
                        + LISTENING_RATE_HZ
                        + ")");
              }

              @Override
              public void onFailure(String message) {
                error(ErrorCodes.RECORDING_FAILED, message);
              }
            });
    recorder.start();
  }

  private synchronized void stopRecorder() {
    if (recorder == null) {
      return;
    }
    recorder.stop();
    recorder = null;
    callJs("pac.stopListening()");
  }

  private synchronized void restartListening() {
    if (recorder != null) {
      callJs("pac.startListening(" + overlapFactor + "," + minimumConfidence + ")");
    }
  }

  private void callJs(final String script) {
    form.runOnUiThread(
        new Runnable() {
          @Override
          public void run() {
            webView.evaluateJavascript(script, null);
          }
        });
  }

  private void error(final int code, final String message) {
    form.runOnUiThread(
        new Runnable() {
          @Override
          public void run() {
            Error(code, message);
          }
        });
  }

  /** Fires the event a JS message stands for; runs on the UI thread. */
  void handle(Message message) {
    if (!pageStarted) {  // the page is up: hand it a BridgeUrl set before it was
      pageStarted = true;
      if (bridgeUrl.length() > 0) {
        callJs("pac.useBridge(" + Json.quote(bridgeUrl) + ")");
      }
    }
    if ("ClassifierReady".equals(message.type)) {
      labels = YailList.makeList(new ArrayList<Object>(message.labels));
      modelName = message.model;
      ready = true;
      ClassifierReady();
    } else if ("GotClassification".equals(message.type)) {
      GotClassification(message.result);
    } else {
      Error(message.code, message.message);
    }
  }

  /** What the WebView's JavaScript calls: window.PersonalAudioClassifier.post(json). */
  final class JsInterface {
    @JavascriptInterface
    public void post(String json) {
      Message parsed;
      try {
        parsed = Message.parse(json);
      } catch (IllegalArgumentException e) {
        parsed = Message.error(ErrorCodes.CLASSIFICATION_FAILED, "bad message: " + e.getMessage());
      }
      final Message message = parsed;
      form.runOnUiThread(
          new Runnable() {
            @Override
            public void run() {
              handle(message);
            }
          });
    }
  }

  /**
   * Grants what the extension's own page asks for (bridge mode reaches the laptop on the
   * local network, which WebViews may gate behind a permission); other pages get nothing.
   */
  static final class PagePermissions extends WebChromeClient {
    @Override
    public void onPermissionRequest(PermissionRequest request) {
      if (ASSET_BASE.equals(request.getOrigin().toString() + "/")
          || ASSET_BASE.equals(request.getOrigin().toString())) {
        request.grant(request.getResources());
      } else {
        request.deny();
      }
    }
  }

  /** Serves ASSET_BASE from the extension's assets and the decoded clips; nothing else. */
  final class AssetClient extends WebViewClient {
    @Override
    public WebResourceResponse shouldInterceptRequest(WebView view, WebResourceRequest request) {
      return serve(request.getUrl().toString());
    }

    @Override
    @Deprecated
    public WebResourceResponse shouldInterceptRequest(WebView view, String url) {
      return serve(url);
    }
  }

  /** The response for a URL the WebView asks for: an asset, a decoded clip, or a 404. */
  WebResourceResponse serve(String url) {
    if (!url.startsWith(ASSET_BASE)) {
      return notFound();
    }
    String name = url.substring(ASSET_BASE.length());
    if (name.startsWith("pcm/")) {
      byte[] pcm = pcmById.remove(name.substring("pcm/".length()));
      if (pcm == null) {
        return notFound();
      }
      return new WebResourceResponse(
          "application/octet-stream", null, 200, "OK", null, new ByteArrayInputStream(pcm));
    }
    InputStream asset;
    try {
      asset = form.openAssetForExtension(this, name);
    } catch (IOException e) {
      return notFound();
    }
    return new WebResourceResponse(mimeType(name), null, 200, "OK", null, asset);
  }

  static String mimeType(String name) {
    if (name.endsWith(".html")) {
      return "text/html";
    } else if (name.endsWith(".js")) {
      return "application/javascript";
    } else if (name.endsWith(".json")) {
      return "application/json";
    } else if (name.endsWith(".wasm")) {
      return "application/wasm";
    }
    return "application/octet-stream";
  }

  private static WebResourceResponse notFound() {
    return new WebResourceResponse(
        "text/plain", null, 404, "Not Found", null, new ByteArrayInputStream(new byte[0]));
  }
}
