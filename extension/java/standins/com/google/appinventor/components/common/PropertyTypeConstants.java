// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package com.google.appinventor.components.common;

public class PropertyTypeConstants {
  public static final String PROPERTY_TYPE_FLOAT = "float";
  public static final String PROPERTY_TYPE_NON_NEGATIVE_FLOAT = "non_negative_float";
  public static final String PROPERTY_TYPE_STRING = "string";
  public static final String PROPERTY_TYPE_TEXT = "text";
}
