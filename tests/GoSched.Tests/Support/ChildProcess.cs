using System.Diagnostics;

namespace GoSched.Tests.Support;

/// <summary>Runs a scenario of GoSched.TestPrograms in a child process: whole programs, Go-style exits.</summary>
public static class ChildProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string scenario, IDictionary<string, string>? env = null, int timeoutMs = 60_000)
    {
        string dir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string configuration = Path.GetFileName(Path.GetDirectoryName(dir))!;
        string dll = Path.GetFullPath(Path.Combine(dir, "..", "..", "..", "..", "GoSched.TestPrograms", "bin",
            configuration, "net10.0", "GoSched.TestPrograms.dll"));
        if (!File.Exists(dll))
        {
            Assert.Fail("test program not built: " + dll);
        }
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add(scenario);
        psi.Environment.Remove("GOMAXPROCS");
        psi.Environment.Remove("GODEBUG");
        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"scenario {scenario} did not finish in {timeoutMs} ms; stderr so far:\n" + stderr.Result);
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
