using GmnGen.Graphs;
using GmnGen.Probes;

namespace GmnGen.Tasks.Prediction;

/// <summary>One zoo checkpoint as the predictors see it: its parameter graph and the property to predict.</summary>
/// <param name="Id">The checkpoint's id in the zoo manifest (for reports).</param>
/// <param name="Graph">Parameter graph of the checkpoint's weights (CPU).</param>
/// <param name="Target">The property to predict, e.g. test accuracy in [0, 1].</param>
/// <param name="Probes">What the network did on the zoo's probe inputs, when the zoo was loaded with them
/// (the "GMN+probes" and "Probes" methods need it; the others never read it).</param>
public sealed record LabelledGraph(string Id, ParameterGraph Graph, double Target, ProbeReading? Probes = null);
