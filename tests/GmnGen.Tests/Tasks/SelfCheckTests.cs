using System;
using GmnGen.Generators.Tests;
using GmnGen.Tests.Packaging;
using GmnGen.Tests.Support;

namespace GmnGen.Tests.Tasks;

/// <summary><c>gmn selfcheck</c> on the CPU (CI has no GPU): every check runs and passes, and the
/// command says so with its exit code.</summary>
public sealed class SelfCheckTests
{
    [Fact]
    public void Gmn_selfcheck_on_the_cpu_passes_every_check()
    {
        var (code, output) = Shell.Run(RepoRoot.Path, "dotnet", GmnTool.Dll, "selfcheck", "--device", "cpu");
        Assert.True(code == 0, output);
        var text = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        foreach (var check in new[] { "outputs equal the CPU's", "gradients equal the CPU's", "invariant to a random", "a batch gives its graphs' outputs" })
            Assert.Contains(check, text);
        Assert.Contains("all checks passed", text);
        Assert.DoesNotContain("FAIL", text);
    }

    [Fact]
    public void The_gmn_tool_shortens_openmps_spin_waits_before_libtorch_loads()
    {
        // The tool touches GmnGen before TorchSharp, so its start-up sets GOMP_SPINCOUNT while libgomp can still read it.
        // The child inherits this process's environment: a user's own setting would be reported as theirs instead.
        bool userSetting = Environment.GetEnvironmentVariable(GmnGen.Runtime.OpenMpSpin.Variable) is not null
                           || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null;
        var (code, output) = Shell.Run(RepoRoot.Path, "dotnet", GmnTool.Dll, "selfcheck", "--device", "cpu");
        Assert.True(code == 0, output);
        var text = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        Assert.Contains(userSetting ? "the user's" : $"{GmnGen.Runtime.OpenMpSpin.Variable}={GmnGen.Runtime.OpenMpSpin.SpinCount}, set by GmnGen before libgomp loaded", text);
    }
}
