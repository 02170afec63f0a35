package org.pac.classifier;

/**
 * Codes of the Error event. The list is extension/error_codes.json, which the
 * JS runtime imports; the tests check these constants against it.
 */
final class ErrorCodes {
  static final int CLASSIFICATION_NOT_SUPPORTED = -1;
  static final int CLASSIFICATION_FAILED = -2;
  static final int INVALID_MODEL = -8;
  static final int MODEL_REQUIRED = -9;
  static final int CANNOT_PREPARE_AUDIO = -10;
  static final int FILE_NOT_FOUND = -11;
  static final int UNSUPPORTED_FORMAT = -12;
  static final int DECODE_FAILED = -13;
  static final int PERMISSION_REFUSED = -14;
  static final int NOT_READY = -15;
  static final int RECORDING_FAILED = -16;
  static final int INVALID_ARGUMENT = -17;
  static final int READ_PERMISSION_DENIED = -18;
  static final int PAGE_FAILED = -19;
  static final int BAD_MESSAGE = -20;
  static final int UNKNOWN_TYPE = -21;
  static final int BAD_AUDIO_FIELD = -22;
  static final int EMPTY_CLIP = -23;
  static final int CLIP_TOO_LONG = -24;
  static final int BAD_ID = -25;
  static final int WRONG_CODE = -26;
  static final int HELLO_REQUIRED = -27;
  static final int TOO_MANY_REQUESTS = -28;
  static final int UNSUPPORTED_PROTOCOL = -29;
  static final int BRIDGE_DISCONNECTED = -30;
  static final int LISTENING_BEHIND = -31;
  static final int COLLECTING_OFF = -32;
  static final int NO_SUCH_LABEL = -33;

  private ErrorCodes() {}
}
