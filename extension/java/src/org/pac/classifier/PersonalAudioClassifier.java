package org.pac.classifier;

import android.util.Base64;
import android.webkit.JavascriptInterface;
import android.webkit.PermissionRequest;
import android.webkit.RenderProcessGoneDetail;
import android.webkit.WebChromeClient;
import android.webkit.WebResourceError;
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
import com.google.appinventor.components.runtime.Deleteable;
import com.google.appinventor.components.runtime.Form;
import com.google.appinventor.components.runtime.OnClearListener;
import com.google.appinventor.components.runtime.OnDestroyListener;
import com.google.appinventor.components.runtime.OnPauseListener;
import com.google.appinventor.components.runtime.OnResumeListener;
import com.google.appinventor.components.runtime.PermissionResultHandler;
import com.google.appinventor.components.runtime.util.OnInitializeListener;
import com.google.appinventor.components.runtime.util.YailList;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A personal audio classifier trained with pac, with its TensorFlow.js model inside. It runs
 * the model in a hidden WebView of its own, offline.
 *
 * <p>The component stays thin: paths are ClipFiles, decoding AudioDecoder, recording Recorder,
 * the page's messages Message, event delivery Events; resampling, windowing and the model live
 * in the page (extension/js). All its state belongs to the UI thread; the decoder, recorder,
 * timer and the page's JavaScript bridge threads hand their results to it with runOnUiThread,
 * and catch everything, so nothing they meet can take the app down.
 *
 * <p>Lifecycle (App Inventor's Form): the Companion calls only onClear when it reloads or
 * switches screens, onPause/onResume follow the app, onDestroy ends a built app. Each of
 * onClear, onDestroy and onDelete releases everything (microphone, threads, WebView).
 */
@DesignerComponent(
    version = 2,
    versionName = "0.2.0",
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
    implements OnClearListener,
        OnDestroyListener,
        OnPauseListener,
        OnResumeListener,
        Deleteable,
        OnInitializeListener {
  /** The WebView fetches the extension's assets and decoded clips from here. */
  static final String ASSET_BASE = "https://pac.assets/";

  static final String PAGE = "pac_webview.html";
  static final String JS_INTERFACE = "PersonalAudioClassifier";
  static final String RECORD_AUDIO = "android.permission.RECORD_AUDIO";
  static final int LISTENING_RATE_HZ = 16000;
  /**
   * Time limits, in ms: the page's script must say it started (a missing asset, an old
   * WebView) and then load the model, and a clip must be decoded (a stuck codec), or Error
   * fires. Not final only so that the tests can shorten them.
   */
  static volatile long pageStartMs = 10000;

  static volatile long modelLoadMs = 60000;
  static volatile long decodeLimitMs = 20000;
  /** A WebView whose renderer Android stopped is made again at most this many times. */
  static final int MAX_PAGE_RESTARTS = 3;
  /** Listening audio gathered while the page is busy, at most (5 s at 16 kHz, 16-bit). */
  static final int MAX_GATHERED_BYTES = 5 * LISTENING_RATE_HZ * 2;

  private final Events events = new Events(this);
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(threads("timer"));
  private final Map<String, byte[]> pcmById = new ConcurrentHashMap<String, byte[]>();
  private final AtomicInteger requests = new AtomicInteger();
  private ExecutorService decoding = Executors.newSingleThreadExecutor(threads("decoder"));
  private WebView webView;
  private int page; // the WebView's generation: messages from older ones are ignored
  private int restarts;
  private boolean pageStarted;
  private volatile boolean ready;
  private volatile boolean closed;
  private YailList labels = YailList.makeList(new Object[0]);
  private String modelName = "";
  private float overlapFactor = 0.5f;
  private float minimumConfidence = 0.5f;
  private String bridgeUrl = "";
  private Recorder recorder;
  private Listening.Outbox outbox;
  private int session; // the current listening session; 0: not listening
  private int sessions;
  private boolean listenAgainOnResume;
  private boolean paused;
  private ModelShape shape;

  public PersonalAudioClassifier(Form form) {
    super(form);
    form.registerForOnClear(this);
    form.registerForOnDestroy(this);
    form.registerForOnPause(this);
    form.registerForOnResume(this);
    form.registerForOnInitialize(this);
    startPage();
  }

  // --- Events ----------------------------------------------------------------------------

  @SimpleEvent(description = "The model is loaded: Labels and ModelName are set, and the "
      + "classifier is ready for ClassifySoundData and StartListening.")
  public void ClassifierReady() {
    events.fire("ClassifierReady");
  }

  @SimpleEvent(description = "A sound was classified. result is a list of [label, confidence] "
      + "pairs, highest confidence first; confidences are from 0 to 1 and add up to 1.")
  public void GotClassification(YailList result) {
    events.fire("GotClassification", result);
  }

  @SimpleEvent(description = "Something went wrong. errorCode says what (see the extension's "
      + "documentation: -11 no such file, -12 unsupported format, -14 microphone refused, ...); "
      + "errorMessage explains it.")
  public void Error(int errorCode, String errorMessage) {
    events.fire("Error", errorCode, errorMessage);
  }

  @SimpleEvent(description = "A clip sent with CollectSoundData is now in the laptop's pac "
      + "studio project: label is the label it went to, clips how many clips that label has.")
  public void SoundCollected(String label, int clips) {
    events.fire("SoundCollected", label, clips);
  }

  // --- Methods ---------------------------------------------------------------------------

  @SimpleFunction(description = "Classifies the sound in an audio file, such as the one a "
      + "SoundRecorder made (3GP), or a WAV, M4A, MP3 or Ogg file. path is the file's full path, "
      + "a file:// or content:// address, or the name of a media file of the app. The answer "
      + "comes in GotClassification, or Error.")
  public void ClassifySoundData(final String path) {
    decode(path, null);
  }

  @SimpleFunction(description = "Sends the sound in an audio file to pac studio on the laptop, "
      + "as a clip of label in its project, so that this phone's own recordings train the model "
      + "(set BridgeUrl to the studio's address first). path is as for ClassifySoundData. The "
      + "answer comes in SoundCollected, or Error.")
  public void CollectSoundData(final String path, final String label) {
    decode(path, label == null ? "" : label);
  }

  /** Decodes a file off the UI thread and hands it to the page: to classify, or to collect
   * into {@code label} (not null). */
  private void decode(final String path, final String label) {
    if (!ready) {
      Error(ErrorCodes.NOT_READY, "the classifier is not ready yet: wait for ClassifierReady");
      return;
    }
    final String id = "clip-" + requests.incrementAndGet();
    final ModelShape model = modelShape();
    final AtomicBoolean answered = new AtomicBoolean();
    final long limitMs = decodeLimitMs;
    final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMs);
    final ExecutorService worker = decoding;
    final Future<?> task =
        worker.submit(
            new Runnable() {
              @Override
              public void run() {
                decodeAndSend(id, path, label, model, deadline, answered);
              }
            });
    timer.schedule(
        new Runnable() {
          @Override
          public void run() {
            if (answered.compareAndSet(false, true)) {
              task.cancel(true);
              // A thread stuck inside the codec is left behind; later clips get a new one.
              ui(new Runnable() {
                    @Override
                    public void run() {
                      if (decoding == worker && !closed) {
                        worker.shutdownNow();
                        decoding = Executors.newSingleThreadExecutor(threads("decoder"));
                      }
                    }
                  });
              error(ErrorCodes.DECODE_FAILED, path + ": decoding took longer than "
                  + limitMs / 1000.0 + " s (the phone's decoder is stuck)");
            }
          }
        },
        limitMs + 1000,
        TimeUnit.MILLISECONDS);
  }

  @SimpleFunction(description = "Starts classifying the microphone continuously: a window of "
      + "sound every so often (see OverlapFactor), and GotClassification for each one whose "
      + "top confidence reaches MinimumConfidence. Asks for the microphone permission first.")
  public void StartListening() {
    if (!ready) {
      Error(ErrorCodes.NOT_READY, "the classifier is not ready yet: wait for ClassifierReady");
      return;
    }
    form.askPermission(
        RECORD_AUDIO,
        new PermissionResultHandler() {
          @Override
          public void HandlePermissionResponse(String permission, final boolean granted) {
            ui(new Runnable() {
                  @Override
                  public void run() {
                    if (granted) {
                      startRecorder();
                    } else {
                      Error(ErrorCodes.PERMISSION_REFUSED,
                          "the microphone permission was refused, so the app cannot listen");
                    }
                  }
                });
          }
        });
  }

  @SimpleFunction(description = "Stops listening to the microphone. No GotClassification of "
      + "the listening comes after this.")
  public void StopListening() {
    listenAgainOnResume = false;
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
      + "0.5 s; higher reacts sooner and uses more battery. A phone that cannot keep up skips "
      + "windows and says so once (Error -31).")
  public float OverlapFactor() {
    return overlapFactor;
  }

  @DesignerProperty(editorType = PropertyTypeConstants.PROPERTY_TYPE_NON_NEGATIVE_FLOAT,
      defaultValue = "0.5")
  @SimpleProperty
  public void OverlapFactor(float factor) {
    if (!(factor >= 0f && factor <= 0.9f)) {
      Error(ErrorCodes.INVALID_ARGUMENT, "OverlapFactor must be from 0 to 0.9, got " + factor);
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
      Error(ErrorCodes.INVALID_ARGUMENT, "MinimumConfidence must be from 0 to 1, got "
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

  // --- Lifecycle -------------------------------------------------------------------------

  @Override
  public void onInitialize() {
    events.screenReady();
  }

  @Override
  public void onPause() {
    // Android 9 and later give an app in the background silence; stop, and listen again on
    // resume.
    paused = true;
    if (recorder != null) {
      stopRecorder();
      listenAgainOnResume = true;
    }
  }

  @Override
  public void onResume() {
    paused = false;
    if (listenAgainOnResume && !closed && ready) {
      listenAgainOnResume = false;
      startRecorder();
    }
  }

  @Override
  public void onClear() {
    close();
  }

  @Override
  public void onDestroy() {
    close();
  }

  @Override
  public void onDelete() {
    close();
  }

  /** Releases everything this component holds; safe to call more than once. */
  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    ready = false;
    listenAgainOnResume = false;
    stopRecorder();
    decoding.shutdownNow();
    timer.shutdownNow();
    pcmById.clear();
    events.clear();
    destroyPage();
  }

  // --- The page --------------------------------------------------------------------------

  private void startPage() {
    final int generation = ++page;
    pageStarted = false;
    webView = new WebView(form);
    webView.getSettings().setJavaScriptEnabled(true);
    // Bridge mode opens ws:// to the laptop from the https://pac.assets page.
    webView.getSettings().setMixedContentMode(WebSettings.MIXED_CONTENT_ALWAYS_ALLOW);
    webView.addJavascriptInterface(new JsInterface(generation), JS_INTERFACE);
    webView.setWebViewClient(new AssetClient(generation));
    webView.setWebChromeClient(new PagePermissions());
    webView.loadUrl(ASSET_BASE + PAGE);
    watch(generation, pageStartMs, true, "did not start within " + pageStartMs / 1000.0 + " s "
        + "(an asset is missing from the extension, or this phone's WebView is too old)");
    watch(generation, modelLoadMs, false, "did not load the model within " + modelLoadMs / 1000.0
        + " s");
  }

  /**
   * Error -19 if the page of this generation has not started ({@code toStart}), or not said
   * ClassifierReady, after {@code ms}.
   */
  private void watch(final int generation, long ms, final boolean toStart, final String problem) {
    timer.schedule(
        new Runnable() {
          @Override
          public void run() {
            ui(new Runnable() {
                  @Override
                  public void run() {
                    boolean waiting = toStart ? !pageStarted : !ready;
                    if (generation == page && !closed && waiting) {
                      Error(ErrorCodes.PAGE_FAILED, "the classifier's page " + problem);
                    }
                  }
                });
          }
        },
        ms,
        TimeUnit.MILLISECONDS);
  }

  private void destroyPage() {
    if (webView != null) {
      webView.stopLoading();
      webView.destroy();
      webView = null;
    }
  }

  /** The renderer of this generation's WebView is gone: make a new one, a few times. */
  private void restartPage(boolean crashed) {
    boolean wasListening = recorder != null;
    stopRecorder();
    listenAgainOnResume = listenAgainOnResume || wasListening;
    ready = false;
    pcmById.clear();
    destroyPage();
    String what = crashed ? "crashed" : "was stopped by Android to free memory";
    if (restarts >= MAX_PAGE_RESTARTS) {
      Error(ErrorCodes.PAGE_FAILED, "the classifier's WebView " + what + " again; after "
          + MAX_PAGE_RESTARTS + " restarts it is not started again");
      return;
    }
    restarts++;
    Error(ErrorCodes.PAGE_FAILED, "the classifier's WebView " + what + "; it is starting "
        + "again: wait for ClassifierReady");
    startPage();
  }

  private void callJs(final String script) {
    ui(new Runnable() {
          @Override
          public void run() {
            if (webView != null && !closed) {
              webView.evaluateJavascript(script, null);
            }
          }
        });
  }

  /** Runs {@code action} on the UI thread; what it throws is reported, never left to crash. */
  private void ui(final Runnable action) {
    if (closed) {
      return;
    }
    form.runOnUiThread(
        new Runnable() {
          @Override
          public void run() {
            try {
              action.run();
            } catch (Throwable t) {
              Error(ErrorCodes.CLASSIFICATION_FAILED, "the classifier failed: " + t);
            }
          }
        });
  }

  private void error(final int code, final String message) {
    ui(new Runnable() {
          @Override
          public void run() {
            Error(code, message);
          }
        });
  }

  /** Fires the event a message of the page stands for; runs on the UI thread. */
  void handle(int generation, Message message) {
    if (generation != page || closed) {
      return; // an old WebView's, or after close
    }
    if ("PageStarted".equals(message.type)) {
      pageStarted = true;
      if (bridgeUrl.length() > 0) { // hand it a BridgeUrl set before it was up
        callJs("pac.useBridge(" + Json.quote(bridgeUrl) + ")");
      }
      return;
    }
    if ("ClassifierReady".equals(message.type)) {
      labels = YailList.makeList(new ArrayList<Object>(message.labels));
      modelName = message.model;
      ready = true;
      if (listenAgainOnResume && recorder == null && !paused) {
        listenAgainOnResume = false;
        startRecorder(); // listening went on through a page restart
      }
      ClassifierReady();
      return;
    }
    if (Listening.isStale(message.id, session)) {
      return; // a window of a listening that has stopped: nothing fires after StopListening
    }
    if ("ListenChunkDone".equals(message.type)) {
      if (outbox != null) {
        send(outbox.done(), session);
      }
      return;
    }
    if ("GotClassification".equals(message.type)) {
      GotClassification(message.result);
    } else if ("SoundCollected".equals(message.type)) {
      SoundCollected(message.label, message.clips);
    } else {
      Error(message.code, message.message);
    }
  }

  /** What the WebView's JavaScript calls: window.PersonalAudioClassifier.post(json). */
  final class JsInterface {
    private final int generation;

    JsInterface(int generation) {
      this.generation = generation;
    }

    @JavascriptInterface
    public void post(String json) {
      Message parsed;
      try {
        parsed = Message.parse(json);
      } catch (Throwable t) { // a JavaBridge thread: nothing above it catches
        parsed = Message.error(null, ErrorCodes.CLASSIFICATION_FAILED, "bad message: " + t.getMessage());
      }
      final Message message = parsed;
      ui(new Runnable() {
            @Override
            public void run() {
              handle(generation, message);
            }
          });
    }
  }

  /**
   * The page asks for no permission: the microphone is Java's (AudioRecord), and Android has
   * no PermissionRequest resource for reaching the laptop. So every request is denied; nothing
   * is granted because a page asked for it.
   */
  static final class PagePermissions extends WebChromeClient {
    @Override
    public void onPermissionRequest(PermissionRequest request) {
      request.deny();
    }
  }

  /** Serves ASSET_BASE from the extension's assets and the decoded clips; nothing else. */
  final class AssetClient extends WebViewClient {
    private final int generation;

    AssetClient(int generation) {
      this.generation = generation;
    }

    @Override
    public WebResourceResponse shouldInterceptRequest(WebView view, WebResourceRequest request) {
      return serve(request.getUrl().toString());
    }

    @Override
    @Deprecated
    public WebResourceResponse shouldInterceptRequest(WebView view, String url) {
      return serve(url);
    }

    @Override
    public boolean onRenderProcessGone(WebView view, RenderProcessGoneDetail detail) {
      // Android 8+: without this, the app dies with the renderer. A hidden WebView is a likely
      // victim when memory runs low.
      if (generation == page && !closed) {
        restartPage(detail.didCrash());
      }
      return true;
    }

    @Override
    public void onReceivedError(
        WebView view, WebResourceRequest request, WebResourceError problem) {
      if (request.isForMainFrame()) {
        pageFailed(generation, String.valueOf(problem.getDescription()));
      }
    }

    @Override
    @Deprecated
    public void onReceivedError(WebView view, int code, String description, String failingUrl) {
      if ((ASSET_BASE + PAGE).equals(failingUrl)) {
        pageFailed(generation, description);
      }
    }

    @Override
    public void onReceivedHttpError(
        WebView view, WebResourceRequest request, WebResourceResponse response) {
      if (request.isForMainFrame()) {
        pageFailed(generation, "HTTP " + response.getStatusCode());
      }
    }
  }

  private void pageFailed(int generation, String why) {
    if (generation == page && !closed && !pageStarted) {
      Error(ErrorCodes.PAGE_FAILED, "the classifier's page could not load: " + why);
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

  // --- Clips -----------------------------------------------------------------------------

  /** On the decoder thread: the file, decoded, handed to the page (pac.classify, or
   * pac.collect with the label); or an Error. */
  private void decodeAndSend(
      String id,
      String path,
      String label,
      ModelShape model,
      long deadline,
      AtomicBoolean answered) {
    ClipFiles.Clip clip = null;
    String problem = null;
    int code = 0;
    try {
      clip = ClipFiles.open(form, path, id);
      AudioDecoder.Pcm pcm =
          new AudioDecoder(model.rateHz, model.maxClipSamples, deadline).decode(clip.file);
      if (!answered.compareAndSet(false, true)) {
        return; // the time limit answered already
      }
      pcmById.put(id, pcm.bytes());
      String args = Json.quote(id) + "," + Json.quote(ASSET_BASE + "pcm/" + id) + ","
          + pcm.rateHz + "," + pcm.firstModelSample + "," + pcm.totalModelSamples;
      callJs(label == null
          ? "pac.classify(" + args + ")"
          : "pac.collect(" + args + "," + Json.quote(label) + ")");
      return;
    } catch (AudioDecoder.ClipError e) {
      code = e.code;
      problem = e.getMessage();
    } catch (Throwable t) { // OutOfMemoryError and codec failures included: never the app's end
      code = ErrorCodes.DECODE_FAILED;
      problem = path + ": decoding failed: " + t;
    } finally {
      if (clip != null) {
        clip.close();
      }
    }
    if (answered.compareAndSet(false, true)) {
      error(code, problem);
    }
  }

  /** The model's rate and longest clip, from the extension's metadata.json (read once). */
  static final class ModelShape {
    final int rateHz;
    final long maxClipSamples;

    ModelShape(int rateHz, long maxClipSamples) {
      this.rateHz = rateHz;
      this.maxClipSamples = maxClipSamples;
    }
  }

  private ModelShape modelShape() {
    if (shape == null) {
      shape = new ModelShape(16000, 160000); // pac's defaults, if metadata.json cannot be read
      try {
        InputStream in = form.openAssetForExtension(this, "metadata.json");
        try {
          Object parsed = Json.parse(new String(readAll(in), "UTF-8"));
          if (parsed instanceof Map) {
            Map<?, ?> metadata = (Map<?, ?>) parsed;
            Object rate = metadata.get("sample_rate_hz");
            Object max = metadata.get("max_clip_samples");
            if (rate instanceof Double && max instanceof Double) {
              shape = new ModelShape(((Double) rate).intValue(), ((Double) max).longValue());
            }
          }
        } finally {
          in.close();
        }
      } catch (IOException e) {
        // the page reports a model it cannot read (Error -8)
      } catch (IllegalArgumentException e) {
        // likewise
      }
    }
    return shape;
  }

  private static byte[] readAll(InputStream in) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  // --- Listening -------------------------------------------------------------------------

  private void startRecorder() {
    if (recorder != null || closed || !ready) {
      return;
    }
    final int current = ++sessions;
    session = current;
    final Listening.Outbox box = new Listening.Outbox(MAX_GATHERED_BYTES);
    outbox = box;
    callJs("pac.startListening(" + overlapFactor + "," + minimumConfidence + "," + current + ")");
    recorder =
        new Recorder(
            LISTENING_RATE_HZ,
            new Recorder.Listener() {
              @Override
              public void onChunk(byte[] pcm16) {
                send(box.offer(pcm16), current);
              }

              @Override
              public void onFailure(final String message) {
                ui(new Runnable() {
                      @Override
                      public void run() {
                        if (session == current) {
                          stopRecorder();
                          Error(ErrorCodes.RECORDING_FAILED, message);
                        }
                      }
                    });
              }
            });
    recorder.start();
  }

  private void stopRecorder() {
    if (recorder == null) {
      return;
    }
    Recorder stopping = recorder;
    recorder = null;
    outbox = null;
    session = 0;
    stopping.stop();
    callJs("pac.stopListening()");
  }

  /** Hands gathered audio (if any) of listening session {@code of} to the page. */
  private void send(byte[] pcm16, int of) {
    if (pcm16 != null) {
      callJs("pac.listenChunk(" + Json.quote(Base64.encodeToString(pcm16, Base64.NO_WRAP)) + ","
          + LISTENING_RATE_HZ + "," + of + ")");
    }
  }

  private void restartListening() {
    if (recorder != null) {
      stopRecorder();
      startRecorder();
    }
  }

  private static ThreadFactory threads(final String name) {
    return new ThreadFactory() {
      @Override
      public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, "PersonalAudioClassifier-" + name);
        thread.setDaemon(true);
        return thread;
      }
    };
  }
}
