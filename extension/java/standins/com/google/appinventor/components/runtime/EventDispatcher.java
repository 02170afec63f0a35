// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package com.google.appinventor.components.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * Records every event, for the tests: [component, eventName, args...]. As App Inventor's real
 * EventDispatcher does (components/runtime/EventDispatcher.java:186-218 at
 * mit-cml/appinventor-extensions 7728c70), an event is dropped, and false returned, when the
 * component's dispatch delegate (its Form) says it cannot dispatch it yet: before the screen's
 * Initialize. Dropped events are kept in {@link #dropped()}. Events come from the component's
 * threads while a test reads them, so the lists are only touched under the lock.
 */
public class EventDispatcher {
  private static final List<Object[]> dispatched = new ArrayList<Object[]>();
  private static final List<Object[]> dropped = new ArrayList<Object[]>();

  /** A copy of the events dispatched so far, in order. */
  public static synchronized List<Object[]> dispatched() {
    return new ArrayList<Object[]>(dispatched);
  }

  /** A copy of the events dropped so far (before the screen was initialized), in order. */
  public static synchronized List<Object[]> dropped() {
    return new ArrayList<Object[]>(dropped);
  }

  public static synchronized void clear() {
    dispatched.clear();
    dropped.clear();
  }

  public static synchronized boolean dispatchEvent(
      Component component, String eventName, Object... args) {
    Object[] record = new Object[args.length + 2];
    record[0] = component;
    record[1] = eventName;
    System.arraycopy(args, 0, record, 2, args.length);
    if (!component.getDispatchDelegate().canDispatchEvent(component, eventName)) {
      dropped.add(record);
      return false;
    }
    dispatched.add(record);
    return true;
  }
}
