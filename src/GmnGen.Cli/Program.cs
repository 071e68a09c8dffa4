using System.CommandLine;
using GmnGen.Cli.Commands;
using GmnGen.Runtime;

// Touching GmnGen first runs its module initializer, which tunes glibc's allocator before the
// first large tensor (GMNGEN_DEFAULT_MALLOC=1 keeps the defaults).
_ = NativeAllocator.IsTuned;

var root = new RootCommand("gmn: GmnGen's command-line tool for graph metanetworks over declared TorchSharp networks.")
{
    ZooCommand.Create(),
    ExperimentCommand.Create(),
    BenchCommand.Create(),
    SoakCommand.Create(),
    GraphsCommand.Create(),
    InspectCommand.Create(),
    SelfCheckCommand.Create(),
    MergeCommand.Create(),
};
return root.Parse(args).Invoke();
