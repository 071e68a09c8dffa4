using System;
using System.IO;

namespace GmnGen.Storage;

/// <summary>Writes a file so that readers see either the old or the whole new content: a temporary
/// file in the same folder (<c>.name.guid.tmp</c>), flushed, then renamed over the target.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with whatever <paramref name="write"/> puts in the stream it is given,
    /// creating the folder if needed and replacing any existing file. When <paramref name="write"/> throws,
    /// the target is left as it was and the temporary file is deleted.</summary>
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

    /// <summary>How old a temporary file must be to count as left behind: a write takes milliseconds, and
    /// younger ones may belong to another process writing into the same folder right now.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    /// <summary>The temporary files <see cref="Write"/> makes: <c>.name.guid.tmp</c>.</summary>
    private static readonly System.Text.RegularExpressions.Regex OwnTemporary = new(@"^\..+\.[0-9a-f]{32}\.tmp$");

    /// <summary>
    /// Deletes the temporary files that writes into <paramref name="directory"/> left behind when their
    /// process was killed mid-write (the target files themselves are whole: old or new): those last
    /// written at least <paramref name="minimumAge"/> ago (<see cref="StaleAfter"/> by default), so that
    /// processes sharing a folder (one experiment process per seed) never delete each other's writes
    /// in flight. Returns how many.
    /// </summary>
    public static int RemoveStaleTemporaries(string directory, TimeSpan? minimumAge = null)
    {
        if (!Directory.Exists(directory)) return 0;
        var cutoff = DateTime.UtcNow - (minimumAge ?? StaleAfter);
        int removed = 0;
        foreach (var file in Directory.GetFiles(directory, ".*.tmp"))
        {
            // Only what Write leaves behind (.name.guid.tmp), not other programs' dot-files.
            if (!OwnTemporary.IsMatch(Path.GetFileName(file)) || File.GetLastWriteTimeUtc(file) > cutoff) continue;
            if (!File.Exists(file)) continue;   // its writer renamed it meanwhile
            File.Delete(file);
            removed++;
        }
        return removed;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically, as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream => { using var writer = new StreamWriter(stream, leaveOpen: true); writer.Write(text); });
}
