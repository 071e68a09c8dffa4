using System;

namespace GmnGen.Symmetries.Matching;

/// <summary>
/// The linear assignment problem: a one-to-one pairing of rows and columns of a square matrix with
/// the largest total. The Hungarian algorithm with potentials (Kuhn–Munkres in its O(n³) form); the
/// groups weight matching solves are at most a few hundred units wide, where it takes milliseconds,
/// so a small tested solver is preferred to a native optimisation suite.
/// </summary>
public static class LinearAssignment
{
    /// <summary>The assignment of largest total weight.</summary>
    /// <param name="weights">Square n × n matrix; <c>weights[i, j]</c> is the gain of pairing row i with column j. Finite values.</param>
    /// <returns>For each row i, its column: a permutation of 0 .. n−1.</returns>
    /// <exception cref="ArgumentException">The matrix is not square or holds a non-finite value.</exception>
    public static int[] Maximise(double[,] weights)
    {
        int n = weights.GetLength(0);
        if (weights.GetLength(1) != n)
            throw new ArgumentException($"Linear assignment needs a square matrix; got {n} × {weights.GetLength(1)}.", nameof(weights));
        foreach (var w in weights)
            if (!double.IsFinite(w)) throw new ArgumentException("Linear assignment needs finite weights.", nameof(weights));

        // Minimise the negated weights. Arrays are 1-based; index 0 is the algorithm's virtual column.
        var rowPotential = new double[n + 1];
        var columnPotential = new double[n + 1];
        var rowOfColumn = new int[n + 1];
        var previousColumn = new int[n + 1];
        for (int row = 1; row <= n; row++)
        {
            rowOfColumn[0] = row;
            int column = 0;
            var slack = new double[n + 1];
            var visited = new bool[n + 1];
            Array.Fill(slack, double.PositiveInfinity);
            do
            {
                visited[column] = true;
                int current = rowOfColumn[column], next = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= n; j++)
                {
                    if (visited[j]) continue;
                    double reduced = -weights[current - 1, j - 1] - rowPotential[current] - columnPotential[j];
                    if (reduced < slack[j])
                    {
                        slack[j] = reduced;
                        previousColumn[j] = column;
                    }
                    if (slack[j] < delta)
                    {
                        delta = slack[j];
                        next = j;
                    }
                }
                for (int j = 0; j <= n; j++)
                {
                    if (visited[j])
                    {
                        rowPotential[rowOfColumn[j]] += delta;
                        columnPotential[j] -= delta;
                    }
                    else slack[j] -= delta;
                }
                column = next;
            }
            while (rowOfColumn[column] != 0);
            // Augment along the alternating path back to the virtual column.
            do
            {
                int before = previousColumn[column];
                rowOfColumn[column] = rowOfColumn[before];
                column = before;
            }
            while (column != 0);
        }
        var assignment = new int[n];
        for (int j = 1; j <= n; j++) assignment[rowOfColumn[j] - 1] = j - 1;
        return assignment;
    }
}
