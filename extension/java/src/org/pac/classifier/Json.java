package org.pac.classifier;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON this extension needs: parsing the JS runtime's messages and
 * quoting strings for evaluateJavascript. Objects become Maps, arrays Lists,
 * numbers Doubles.
 */
final class Json {
  private final String text;
  private int at;

  private Json(String text) {
    this.text = text;
  }

  /** Parses one JSON value; throws IllegalArgumentException naming the offset of a problem. */
  static Object parse(String text) {
    Json json = new Json(text);
    Object value = json.value();
    json.space();
    if (json.at != text.length()) {
      throw json.problem("unexpected text after the value");
    }
    return value;
  }

  /** A JavaScript/JSON string literal for {@code value}, safe inside a script. */
  static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x2028 || c == 0x2029 || c == '<' || c == '>') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  private IllegalArgumentException problem(String what) {
    return new IllegalArgumentException("JSON: " + what + " at offset " + at);
  }

  private void space() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
  }

  private boolean take(char c) {
    space();
    if (at < text.length() && text.charAt(at) == c) {
      at++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!take(c)) {
      throw problem("expected '" + c + "'");
    }
  }

  private Object value() {
    space();
    if (at >= text.length()) {
      throw problem("unexpected end");
    }
    char c = text.charAt(at);
    if (c == '{') {
      return object();
    } else if (c == '[') {
      return array();
    } else if (c == '"') {
      return string();
    } else if (text.startsWith("true", at)) {
      at += 4;
      return Boolean.TRUE;
    } else if (text.startsWith("false", at)) {
      at += 5;
      return Boolean.FALSE;
    } else if (text.startsWith("null", at)) {
      at += 4;
      return null;
    }
    return number();
  }

  private Map<String, Object> object() {
    Map<String, Object> out = new LinkedHashMap<String, Object>();
    expect('{');
    if (take('}')) {
      return out;
    }
    do {
      space();
      String key = string();
      expect(':');
      out.put(key, value());
    } while (take(','));
    expect('}');
    return out;
  }

  private List<Object> array() {
    List<Object> out = new ArrayList<Object>();
    expect('[');
    if (take(']')) {
      return out;
    }
    do {
      out.add(value());
    } while (take(','));
    expect(']');
    return out;
  }

  private String string() {
    if (at >= text.length() || text.charAt(at) != '"') {
      throw problem("expected a string");
    }
    StringBuilder out = new StringBuilder();
    at++;
    while (at < text.length()) {
      char c = text.charAt(at++);
      if (c == '"') {
        return out.toString();
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (at >= text.length()) {
        break;
      }
      char e = text.charAt(at++);
      switch (e) {
        case 'n':
          out.append('\n');
          break;
        case 't':
          out.append('\t');
          break;
        case 'r':
          out.append('\r');
          break;
        case 'b':
          out.append('\b');
          break;
        case 'f':
          out.append('\f');
          break;
        case 'u':
          if (at + 4 > text.length()) {
            throw problem("short \\u escape");
          }
          out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
          at += 4;
          break;
        default:
          out.append(e);
      }
    }
    throw problem("unterminated string");
  }

  private Double number() {
    int start = at;
    while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
      at++;
    }
    if (start == at) {
      throw problem("unexpected character");
    }
    try {
      return Double.valueOf(text.substring(start, at));
    } catch (NumberFormatException e) {
      at = start;
      throw problem("bad number");
    }
  }
}
