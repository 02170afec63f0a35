package org.pac.classifier;

import android.net.Uri;
import com.google.appinventor.components.runtime.Form;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What ClassifySoundData's path names, as a file MediaExtractor can open. App Inventor blocks
 * pass: an absolute path (SoundRecorder's AfterSoundRecorded gives one), a file:// URI, a
 * content:// URI (from a picker or another app), or the name of a media file uploaded in the
 * Designer ("clap.wav", or "//clap.wav" in App Inventor's legacy form). URIs and assets are
 * copied to the app's cache first, at most {@link #MAX_BYTES}.
 */
final class ClipFiles {
  /** The largest file ClassifySoundData copies: far more than the model's 10 s. */
  static final long MAX_BYTES = 64L * 1024 * 1024;

  /** A file to decode; {@link #close} deletes it when it is a copy. */
  static final class Clip {
    final File file;
    final boolean copy;

    Clip(File file, boolean copy) {
      this.file = file;
      this.copy = copy;
    }

    void close() {
      if (copy && !file.delete()) {
        file.deleteOnExit();
      }
    }
  }

  private ClipFiles() {}

  static Clip open(Form form, String path, String id) throws AudioDecoder.ClipError {
    if (path == null || path.trim().length() == 0) {
      throw new AudioDecoder.ClipError(
          ErrorCodes.FILE_NOT_FOUND, "ClassifySoundData needs the path of a sound file");
    }
    String text = path.trim();
    if (text.startsWith("content://")) {
      InputStream in;
      try {
        in = form.getContentResolver().openInputStream(Uri.parse(text));
      } catch (FileNotFoundException e) {
        throw new AudioDecoder.ClipError(ErrorCodes.FILE_NOT_FOUND, "no sound at " + text);
      } catch (SecurityException e) {
        throw new AudioDecoder.ClipError(ErrorCodes.READ_PERMISSION_DENIED,
            "the app may not read " + text + " (" + e.getMessage() + ")");
      }
      if (in == null) {
        throw new AudioDecoder.ClipError(ErrorCodes.FILE_NOT_FOUND, "no sound at " + text);
      }
      return copy(form, in, text, id);
    }
    if (text.startsWith("file:")) {
      String decoded = Uri.parse(text).getPath();
      return file(new File(decoded == null ? text.substring("file:".length()) : decoded), text);
    }
    if (text.startsWith("/") && !text.startsWith("//")) {
      return file(new File(text), text);
    }
    String asset = text.startsWith("//") ? text.substring(2) : text;
    InputStream in;
    try {
      in = form.openAsset(asset);
    } catch (IOException e) {
      throw new AudioDecoder.ClipError(ErrorCodes.FILE_NOT_FOUND,
          "no sound file at " + text + " (a full path, a file:// or content:// address, or the "
              + "name of a media file of the app)");
    }
    return copy(form, in, text, id);
  }

  private static Clip file(File file, String path) throws AudioDecoder.ClipError {
    if (!file.exists()) {
      throw new AudioDecoder.ClipError(ErrorCodes.FILE_NOT_FOUND, "no sound file at " + path);
    }
    if (file.isDirectory()) {
      throw new AudioDecoder.ClipError(ErrorCodes.FILE_NOT_FOUND, path + " is a folder, not a sound file");
    }
    try {
      new FileInputStream(file).close();
    } catch (FileNotFoundException e) {
      throw new AudioDecoder.ClipError(ErrorCodes.READ_PERMISSION_DENIED, "the app may not read "
          + path + ": it needs Android's permission to read audio (READ_MEDIA_AUDIO, or "
          + "READ_EXTERNAL_STORAGE before Android 13), or a file of its own");
    } catch (SecurityException e) {
      throw new AudioDecoder.ClipError(ErrorCodes.READ_PERMISSION_DENIED,
          "the app may not read " + path + " (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new AudioDecoder.ClipError(ErrorCodes.DECODE_FAILED, path + ": " + e.getMessage());
    }
    if (file.length() == 0) {
      throw new AudioDecoder.ClipError(ErrorCodes.EMPTY_CLIP, path + " is empty (0 bytes)");
    }
    return new Clip(file, false);
  }

  private static Clip copy(Form form, InputStream in, String path, String id)
      throws AudioDecoder.ClipError {
    File target = new File(form.getCacheDir(), "pac-" + id + ".audio");
    long size = 0;
    try {
      OutputStream out = new FileOutputStream(target);
      try {
        byte[] buffer = new byte[65536];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          size += n;
          if (size > MAX_BYTES) {
            throw new AudioDecoder.ClipError(ErrorCodes.CLIP_TOO_LONG,
                path + " is over " + MAX_BYTES / (1024 * 1024) + " MB; a sound to classify is a few seconds");
          }
          out.write(buffer, 0, n);
        }
      } finally {
        out.close();
        in.close();
      }
    } catch (IOException e) {
      target.delete();
      throw new AudioDecoder.ClipError(ErrorCodes.DECODE_FAILED, path + ": cannot be read (" + e.getMessage() + ")");
    } catch (AudioDecoder.ClipError e) {
      target.delete();
      throw e;
    }
    if (size == 0) {
      target.delete();
      throw new AudioDecoder.ClipError(ErrorCodes.EMPTY_CLIP, path + " is empty (0 bytes)");
    }
    return new Clip(target, true);
  }
}
