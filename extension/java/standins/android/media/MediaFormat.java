// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.media;

import java.util.HashMap;
import java.util.Map;

public final class MediaFormat {
  public static final String KEY_MIME = "mime";
  public static final String KEY_SAMPLE_RATE = "sample-rate";
  public static final String KEY_CHANNEL_COUNT = "channel-count";
  public static final String KEY_PCM_ENCODING = "pcm-encoding";
  public static final String KEY_DURATION = "durationUs";

  private final Map<String, Object> values = new HashMap<String, Object>();

  public final boolean containsKey(String name) {
    return values.containsKey(name);
  }

  public final int getInteger(String name) {
    return (Integer) values.get(name);
  }

  public final long getLong(String name) {
    return (Long) values.get(name);
  }

  public final String getString(String name) {
    return (String) values.get(name);
  }

  public final void setInteger(String name, int value) {
    values.put(name, value);
  }

  public final void setLong(String name, long value) {
    values.put(name, value);
  }

  public final void setString(String name, String value) {
    values.put(name, value);
  }
}
