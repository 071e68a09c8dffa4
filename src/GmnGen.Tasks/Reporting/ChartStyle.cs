using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace GmnGen.Tasks.Reporting;

/// <summary>Colours shared by the charts, so a method has the same colour in every figure.</summary>
public static class ChartStyle
{
    private static readonly Color[] Palette = new ScottPlot.Palettes.Category10().Colors;

    /// <summary>The colour of <paramref name="method"/>, by its position in <paramref name="methods"/>.</summary>
    public static Color MethodColor(IReadOnlyList<string> methods, string method)
    {
        int index = methods.ToList().IndexOf(method);
        return Palette[(index < 0 ? 0 : index) % Palette.Length];
    }
}
