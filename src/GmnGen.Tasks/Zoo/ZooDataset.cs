using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Probes;
using GmnGen.Storage;
using GmnGen.Tasks.Prediction;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Zoo;

/// <summary>A zoo checkpoint loaded for the experiment: its manifest row, its parameter graph and, when the zoo
/// was loaded with probe inputs, what the network did on them.</summary>
public sealed record ZooMember(ZooCheckpoint Checkpoint, ZooArchitecture Architecture, ParameterGraph Graph, ProbeReading? Probes = null)
{
    /// <summary>The member as a sample whose target is its test accuracy.</summary>
    public LabelledGraph ToSample() => new(Checkpoint.Id, Graph, Checkpoint.TestAccuracy, Probes);
}

/// <summary>The checkpoints of a zoo with their graphs; disposing it frees every graph's edge values.</summary>
public sealed class ZooMembers(IReadOnlyList<ZooMember> members) : IReadOnlyList<ZooMember>, IDisposable
{
    /// <summary>The member at <paramref name="index"/>, in the order given (for <see cref="ZooDataset.Load"/>: manifests by file name, rows in file order).</summary>
    public ZooMember this[int index] => members[index];
    /// <summary>Number of members (checkpoints with weights).</summary>
    public int Count => members.Count;
    /// <summary>Enumerates the members in index order.</summary>
    public IEnumerator<ZooMember> GetEnumerator() => members.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Frees every member's graph (its edge values); the members' graphs are unusable afterwards.</summary>
    public void Dispose()
    {
        foreach (var member in members) member.Graph.Dispose();
    }
}

/// <summary>Loads a zoo folder (all its shards' manifests) into parameter graphs.</summary>
public static class ZooDataset
{
    /// <summary>
    /// Every checkpoint with weights, as a parameter graph built from the stored tensors through the
    /// architecture's generated layout (no module is constructed without <paramref name="probes"/>).
    /// Diverged checkpoints are skipped. With <paramref name="probes"/> (<c>[n, 1, 28, 28]</c> images,
    /// <see cref="ZooProbes.Images"/>) each network is also built and run on them (<see cref="NodeProbes.Read"/>).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No zoo at <paramref name="directory"/>.</exception>
    /// <exception cref="InvalidDataException">A weights file lacks a tensor or holds one of the wrong shape; the message names file and tensor.</exception>
    public static ZooMembers Load(string directory, IProgress<(int Done, int Total)>? progress = null, Tensor? probes = null)
    {
        if (!Directory.Exists(directory) || Directory.GetFiles(directory, "manifest*.csv").Length == 0)
            throw new DirectoryNotFoundException($"No zoo in '{directory}': expected manifest*.csv there. Build one with `gmn zoo --out {directory}`.");
        var rows = ZooManifest.ReadAll(directory).Where(r => r.HasWeights).ToList();
        var members = new List<ZooMember>(rows.Count);
        try
        {
            foreach (var row in rows)
            {
                var architecture = ZooArchitecture.Find(row.Architecture);
                string file = Path.Combine(directory, row.File);
                if (!double.IsFinite(row.TestAccuracy) || row.TestAccuracy is < 0 or > 1)
                    throw new InvalidDataException($"{directory}: checkpoint {row.Id} has weights ({row.File}) but test accuracy {row.TestAccuracy}; expected a fraction in [0, 1] (a diverged checkpoint has no weights file).");
                if (!File.Exists(file))
                    throw new FileNotFoundException($"{directory}: the weights file of checkpoint {row.Id}, {row.File}, is missing; the manifest lists it. Rebuild the run with `gmn zoo --out {directory}` after removing its rows, or restore the file.", file);
                var graph = LoadGraph(file, architecture.Layout);
                var reading = probes is null ? null : ReadProbes(architecture, graph, probes);
                members.Add(new ZooMember(row, architecture, graph, reading));
                progress?.Report((members.Count, rows.Count));
            }
            return new ZooMembers(members);
        }
        catch
        {
            new ZooMembers(members).Dispose();
            throw;
        }
    }

    /// <summary>The network of <paramref name="graph"/> run on the probe images (reshaped to its input).</summary>
    public static ProbeReading ReadProbes(ZooArchitecture architecture, ParameterGraph graph, Tensor probes)
    {
        using var scope = NewDisposeScope();
        using var network = architecture.Create();
        var state = graph.StateTensors();
        var named = architecture.Layout.State.Select((s, i) => (s.Name, Tensor: state[i])).ToDictionary(p => p.Name, p => p.Tensor);
        network.load_state_dict(named, strict: false);
        return NodeProbes.Read((IGraphNetwork)network, architecture.ShapeInput(probes));
    }

    /// <summary>The parameter graph of one stored checkpoint, checked against the layout's state tensors.</summary>
    public static ParameterGraph LoadGraph(string path, ParameterGraphLayout layout)
    {
        var stored = SafeTensors.Load(path);
        try
        {
            var state = new List<Tensor>(layout.State.Count);
            foreach (var expected in layout.State)
            {
                if (!stored.TryGetValue(expected.Name, out var tensor))
                    throw new InvalidDataException($"{path}: tensor '{expected.Name}' of {layout.Architecture} is missing (the file has {string.Join(", ", stored.Keys)}).");
                if (tensor.dtype != float32)
                    throw new InvalidDataException($"{path}: tensor '{expected.Name}' has dtype {tensor.dtype}, {layout.Architecture} stores Float32 weights.");
                if (!tensor.shape.SequenceEqual(expected.Shape))
                    throw new InvalidDataException($"{path}: tensor '{expected.Name}' has shape [{string.Join(", ", tensor.shape)}], {layout.Architecture} expects [{string.Join(", ", expected.Shape)}].");
                state.Add(tensor);
            }
            return ParameterGraph.Gather(layout, state);
        }
        finally
        {
            foreach (var t in stored.Values) t.Dispose();
        }
    }
}
