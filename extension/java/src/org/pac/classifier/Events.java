package org.pac.classifier;

import com.google.appinventor.components.runtime.Component;
import com.google.appinventor.components.runtime.EventDispatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Fires the component's events so that none is lost before the screen can take it. App
 * Inventor drops an event dispatched before Screen.Initialize (Form.canDispatchEvent) without a
 * queue, and the model loads asynchronously from the constructor, so ClassifierReady (or an
 * Error) may come first. Such an event is kept, and fired again once the screen says it is
 * ready (OnInitializeListener). Call only on the UI thread.
 */
final class Events {
  /** At most this many events wait for the screen; older ones are forgotten. */
  static final int MAX_WAITING = 16;

  private final Component component;
  private final List<Object[]> waiting = new ArrayList<Object[]>();
  private boolean screenReady;

  Events(Component component) {
    this.component = component;
  }

  void fire(String eventName, Object... args) {
    boolean dispatched = EventDispatcher.dispatchEvent(component, eventName, args);
    if (!dispatched && !screenReady) {
      if (waiting.size() == MAX_WAITING) {
        waiting.remove(0);
      }
      Object[] event = new Object[args.length + 1];
      event[0] = eventName;
      System.arraycopy(args, 0, event, 1, args.length);
      waiting.add(event);
    }
  }

  /** The screen can dispatch events now: fire the ones that waited, in order. */
  void screenReady() {
    screenReady = true;
    List<Object[]> events = new ArrayList<Object[]>(waiting);
    waiting.clear();
    for (Object[] event : events) {
      Object[] args = new Object[event.length - 1];
      System.arraycopy(event, 1, args, 0, args.length);
      EventDispatcher.dispatchEvent(component, (String) event[0], args);
    }
  }

  void clear() {
    waiting.clear();
  }
}
