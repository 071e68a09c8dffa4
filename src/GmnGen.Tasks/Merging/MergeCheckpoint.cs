using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GmnGen.Storage;
using GmnGen.Tasks.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Merging;

/// <summary>An endpoint network as a safetensors file: the architecture's state tensors, as the zoo stores its checkpoints.</summary>
public static class MergeCheckpoint
{
    /// <summary>Writes <paramref name="model"/>'s state tensors (the graph layout's, by name) to <paramref name="path"/> atomically,
    /// with the architecture's name and <paramref name="metadata"/> in the header.</summary>
    public static void Save(string path, ZooArchitecture architecture, nn.Module model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(model);
        var state = model.state_dict();
        var tensors = architecture.Layout.State.Select(s => (s.Name, state[s.Name])).ToList();
        var header = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>()) { ["architecture"] = architecture.Name };
        SafeTensors.Save(path, tensors, header);
    }

    /// <summary>
    /// A new instance of <paramref name="architecture"/> holding the weights stored in <paramref name="path"/> (a zoo
    /// checkpoint or a file of <see cref="Save"/>); num_batches_tracked is taken when present, kept at 0 otherwise.
    /// The caller disposes it.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file names another architecture, lacks a tensor, has an unexpected one,
    /// or holds one of the wrong dtype or shape; the message names the file and the tensor.</exception>
    public static nn.Module<Tensor, Tensor> Load(string path, ZooArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var stored = SafeTensors.Load(path);
        try
        {
            if (SafeTensors.Metadata(path).TryGetValue("architecture", out var named) && named != architecture.Name)
                throw new InvalidDataException($"{path}: holds a {named}, not a {architecture.Name}.");
            var model = architecture.Create();
            try
            {
                var target = model.state_dict();
                var expected = architecture.Layout.State.Select(s => s.Name).ToHashSet();
                if (stored.Keys.FirstOrDefault(k => !target.ContainsKey(k)) is { } unexpected)
                    throw new InvalidDataException($"{path}: tensor '{unexpected}' is not part of {architecture.Name} (its tensors: {string.Join(", ", expected)}).");
                foreach (var (name, tensor) in target)
                {
                    if (!stored.TryGetValue(name, out var value))
                    {
                        if (expected.Contains(name))
                            throw new InvalidDataException($"{path}: tensor '{name}' of {architecture.Name} is missing (the file has {string.Join(", ", stored.Keys)}).");
                        continue;   // a counter the zoo does not store
                    }
                    if (value.dtype != tensor.dtype)
                        throw new InvalidDataException($"{path}: tensor '{name}' has dtype {value.dtype}, {architecture.Name} expects {tensor.dtype}.");
                    if (!value.shape.SequenceEqual(tensor.shape))
                        throw new InvalidDataException($"{path}: tensor '{name}' has shape [{string.Join(", ", value.shape)}], {architecture.Name} expects [{string.Join(", ", tensor.shape)}].");
                }
                using (no_grad())
                    foreach (var (name, tensor) in target)
                        if (stored.TryGetValue(name, out var value)) tensor.copy_(value);
                return model;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var t in stored.Values) t.Dispose();
        }
    }
}
