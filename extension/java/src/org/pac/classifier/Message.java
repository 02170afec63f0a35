package org.pac.classifier;

import com.google.appinventor.components.runtime.util.YailList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One message from the JS runtime (extension/js/src/messages.js), turned into
 * the component event it fires. The shapes:
 *
 * <pre>
 *   {"type": "PageStarted"}
 *   {"type": "ListenChunkDone", "id": "listening-S"}
 *   {"type": "ClassifierReady", "labels": [...], "model": "name"}
 *   {"type": "GotClassification", "id": "...", "result": [[label, confidence], ...]}
 *   {"type": "Error", "id": "..." or null, "code": int, "message": "..."}
 *   {"type": "SoundCollected", "id": "...", "label": "...", "clip": "...", "clips": int}
 * </pre>
 */
final class Message {
  final String type;
  /** GotClassification and Error: the request's id ("clip-N", "listening-S-N"), or null. */
  final String id;
  /** ClassifierReady: the labels, in model order. */
  final List<String> labels;
  /** ClassifierReady: the model's name. */
  final String model;
  /** GotClassification: [[label, confidence], ...], highest first, as YAIL lists. */
  final YailList result;
  /** Error: the code and message. */
  final int code;

  final String message;
  /** SoundCollected: the label the clip went to, and how many clips it has now. */
  final String label;

  final int clips;

  private Message(
      String type,
      String id,
      List<String> labels,
      String model,
      YailList result,
      int code,
      String message) {
    this(type, id, labels, model, result, code, message, null, 0);
  }

  private Message(
      String type,
      String id,
      List<String> labels,
      String model,
      YailList result,
      int code,
      String message,
      String label,
      int clips) {
    this.type = type;
    this.id = id;
    this.labels = labels;
    this.model = model;
    this.result = result;
    this.code = code;
    this.message = message;
    this.label = label;
    this.clips = clips;
  }

  static Message error(String id, int code, String message) {
    return new Message("Error", id, null, null, null, code, message);
  }

  /** Parses a message; throws IllegalArgumentException naming what is wrong. */
  static Message parse(String json) {
    Object parsed = Json.parse(json);
    if (!(parsed instanceof Map)) {
      throw new IllegalArgumentException("message is not a JSON object");
    }
    Map<?, ?> m = (Map<?, ?>) parsed;
    Object type = m.get("type");
    String id = m.get("id") instanceof String ? (String) m.get("id") : null;
    if ("PageStarted".equals(type) || "ListenChunkDone".equals(type)) {
      return new Message((String) type, id, null, null, null, 0, null);
    }
    if ("ClassifierReady".equals(type)) {
      List<String> labels = new ArrayList<String>();
      for (Object label : list(m, "labels")) {
        labels.add(text(label, "labels"));
      }
      return new Message(
          "ClassifierReady", null, labels, text(m.get("model"), "model"), null, 0, null);
    }
    if ("GotClassification".equals(type)) {
      List<Object> pairs = new ArrayList<Object>();
      for (Object pair : list(m, "result")) {
        if (!(pair instanceof List) || ((List<?>) pair).size() != 2) {
          throw new IllegalArgumentException("result entries must be [label, confidence]");
        }
        List<?> p = (List<?>) pair;
        pairs.add(YailList.makeList(new Object[] {text(p.get(0), "label"), number(p.get(1))}));
      }
      return new Message("GotClassification", id, null, null, YailList.makeList(pairs), 0, null);
    }
    if ("SoundCollected".equals(type)) {
      return new Message("SoundCollected", id, null, null, null, 0, null,
          text(m.get("label"), "label"), number(m.get("clips")).intValue());
    }
    if ("Error".equals(type)) {
      return error(id, number(m.get("code")).intValue(), text(m.get("message"), "message"));
    }
    throw new IllegalArgumentException("unknown message type " + type);
  }

  private static List<?> list(Map<?, ?> m, String field) {
    Object value = m.get(field);
    if (!(value instanceof List)) {
      throw new IllegalArgumentException("field " + field + " must be a list");
    }
    return (List<?>) value;
  }

  private static String text(Object value, String field) {
    if (!(value instanceof String)) {
      throw new IllegalArgumentException("field " + field + " must be text");
    }
    return (String) value;
  }

  private static Double number(Object value) {
    if (!(value instanceof Double)) {
      throw new IllegalArgumentException("a number was expected, found " + value);
    }
    return (Double) value;
  }
}
