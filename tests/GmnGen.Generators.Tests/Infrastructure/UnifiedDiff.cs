using System;
using System.Collections.Generic;
using System.Text;
using DiffPlex;
using DiffPlex.Model;

namespace GmnGen.Generators.Tests.Infrastructure;

/// <summary>Formats a line diff (computed by DiffPlex) as a unified diff.</summary>
internal static class UnifiedDiff
{
    /// <summary>
    /// Returns a unified diff of <paramref name="expected"/> (the "--- verified" side) against
    /// <paramref name="actual"/> (the "+++ received" side), or an empty string when they are equal.
    /// Both texts are split on '\n'; a single trailing newline does not count as an extra empty line.
    /// </summary>
    public static string Create(string expected, string actual, int context = 3)
    {
        DiffResult diff = Differ.Instance.CreateDiffs(expected, actual, ignoreWhiteSpace: false, ignoreCase: false, LineChunker.Instance);
        if (diff.DiffBlocks.Count == 0)
            return string.Empty;

        IReadOnlyList<string> oldLines = diff.PiecesOld;
        IReadOnlyList<string> newLines = diff.PiecesNew;
        var output = new StringBuilder("--- verified\n+++ received\n");

        foreach (List<DiffBlock> hunk in GroupIntoHunks(diff.DiffBlocks, context))
        {
            DiffBlock first = hunk[0];
            DiffBlock last = hunk[^1];
            int oldStart = Math.Max(0, first.DeleteStartA - context);
            int oldEnd = Math.Min(oldLines.Count, last.DeleteStartA + last.DeleteCountA + context);
            // Outside the changed blocks both sides are identical, so the new range is the old one shifted.
            int newStart = first.InsertStartB - (first.DeleteStartA - oldStart);
            int newEnd = last.InsertStartB + last.InsertCountB + (oldEnd - (last.DeleteStartA + last.DeleteCountA));

            output.Append("@@ -").Append(Range(oldStart, oldEnd - oldStart))
                  .Append(" +").Append(Range(newStart, newEnd - newStart)).Append(" @@\n");

            int position = oldStart;
            foreach (DiffBlock block in hunk)
            {
                AppendLines(output, ' ', oldLines, position, block.DeleteStartA - position);
                AppendLines(output, '-', oldLines, block.DeleteStartA, block.DeleteCountA);
                AppendLines(output, '+', newLines, block.InsertStartB, block.InsertCountB);
                position = block.DeleteStartA + block.DeleteCountA;
            }
            AppendLines(output, ' ', oldLines, position, oldEnd - position);
        }
        return output.ToString();
    }

    // Blocks whose unchanged gap fits in the trailing context of one plus the leading context of the next share a hunk.
    private static IEnumerable<List<DiffBlock>> GroupIntoHunks(IList<DiffBlock> blocks, int context)
    {
        var hunk = new List<DiffBlock> { blocks[0] };
        for (int i = 1; i < blocks.Count; i++)
        {
            DiffBlock previous = hunk[^1];
            int gap = blocks[i].DeleteStartA - (previous.DeleteStartA + previous.DeleteCountA);
            if (gap > 2 * context)
            {
                yield return hunk;
                hunk = new List<DiffBlock>();
            }
            hunk.Add(blocks[i]);
        }
        yield return hunk;
    }

    // Unified-diff convention: an empty range is numbered by the line before it, so "-0,0" for an empty file.
    private static string Range(int start, int count) => $"{(count == 0 ? start : start + 1)},{count}";

    private static void AppendLines(StringBuilder output, char prefix, IReadOnlyList<string> lines, int start, int count)
    {
        for (int i = start; i < start + count; i++)
            output.Append(prefix).Append(lines[i]).Append('\n');
    }

    private sealed class LineChunker : IChunker
    {
        public static readonly LineChunker Instance = new();

        public IReadOnlyList<string> Chunk(string text)
        {
            if (text.Length == 0)
                return Array.Empty<string>();
            string body = text.EndsWith('\n') ? text[..^1] : text;
            return body.Split('\n');
        }
    }
}
