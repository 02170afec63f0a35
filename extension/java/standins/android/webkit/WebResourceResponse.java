// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.webkit;

import java.io.InputStream;
import java.util.Map;

public class WebResourceResponse {
  private final String mimeType;
  private final String encoding;
  private final int statusCode;
  private final InputStream data;

  public WebResourceResponse(String mimeType, String encoding, InputStream data) {
    this(mimeType, encoding, 200, "OK", null, data);
  }

  public WebResourceResponse(
      String mimeType,
      String encoding,
      int statusCode,
      String reasonPhrase,
      Map<String, String> responseHeaders,
      InputStream data) {
    this.mimeType = mimeType;
    this.encoding = encoding;
    this.statusCode = statusCode;
    this.data = data;
  }

  public String getMimeType() {
    return mimeType;
  }

  public String getEncoding() {
    return encoding;
  }

  public int getStatusCode() {
    return statusCode;
  }

  public InputStream getData() {
    return data;
  }
}
