// Compile-only stand-in, written from App Inventor's documented signature; never shipped.
package com.google.appinventor.components.common;

public class PropertyTypeConstants {
  public static final String PROPERTY_TYPE_FLOAT = "float";
  public static final String PROPERTY_TYPE_NON_NEGATIVE_FLOAT = "non_negative_float";
  public static final String PROPERTY_TYPE_STRING = "string";
  public static final String PROPERTY_TYPE_TEXT = "text";
}
