using System;
using System.IO;

namespace GmnGen.Storage;

/// <summary>Writes a file so that readers see either the old or the whole new content: a temporary
/// file in the same folder (<c>.name.guid.tmp</c>), flushed, then renamed over the target.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// Deletes the temporary files that writes into <paramref name="directory"/> left behind when their
    /// process was killed mid-write (the target files themselves are whole: old or new). Returns how many.
    /// </summary>
    public static int RemoveStaleTemporaries(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        int removed = 0;
        foreach (var file in Directory.GetFiles(directory, ".*.tmp"))
        {
            File.Delete(file);
            removed++;
        }
        return removed;
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, stream => { using var writer = new StreamWriter(stream, leaveOpen: true); writer.Write(text); });
}
