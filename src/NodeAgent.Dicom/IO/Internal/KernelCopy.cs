using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NodeAgent.Dicom.IO.Internal;

/// <summary>
/// Linux copy_file_range(2): copies a value kept in its source file straight into the output file
/// inside the kernel, without passing it through our buffers (as cp does). Anywhere it cannot (other
/// OS, another file system pair, an old kernel) it copies nothing and the caller streams as usual.
/// </summary>
internal static partial class KernelCopy
{
    private const int ChunkLimit = 1 << 30;

    /// <summary>Copies up to <paramref name="length"/> bytes; returns how many were copied.</summary>
    public static long TryCopy(SafeFileHandle source, long sourceOffset, FileStream destination, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
        {
            return 0;
        }

        var inOffset = sourceOffset;
        var outOffset = destination.Position;
        long copied = 0;
        while (copied < length)
        {
            var n = CopyFileRange(source, ref inOffset, destination.SafeFileHandle, ref outOffset, (nuint)Math.Min(length - copied, ChunkLimit), 0);
            if (n <= 0)
            {
                // 0: the source ended early; -1: not possible here (EXDEV, ENOSYS, EOPNOTSUPP, EINVAL).
                break;
            }

            copied += n;
        }

        if (copied > 0)
        {
            destination.Position = outOffset;
        }

        return copied;
    }

    [LibraryImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial nint CopyFileRange(SafeFileHandle fdIn, ref long offIn, SafeFileHandle fdOut, ref long offOut, nuint length, uint flags);
}
