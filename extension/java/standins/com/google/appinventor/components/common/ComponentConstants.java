// Compile-only stand-in, written from App Inventor's documented signature; never shipped.
package com.google.appinventor.components.common;

public class ComponentConstants {
  public static final int APP_INVENTOR_MIN_SDK = 14;
}
