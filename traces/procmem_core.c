/*
 * procmem_core.c - snapshots of the memory in an ELF core dump (see
 * procmem.h): every dumped page outside the file-backed ranges the NT_FILE
 * note lists.
 *
 * ELF64 little-endian ET_CORE only (what Linux writes on x86_64 and arm64).
 * Every offset and size read from the file is checked against the file's
 * length before use.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procmem.h"
#include "procmem_internal.h"

struct core_file_range {
	uint64_t lo, hi;
};

static int core_fail(char *err, size_t errlen, const char *path, uint64_t off, const char *what)
{
	snprintf(err, errlen, "%s: offset %" PRIu64 ": %s", path, off, what);
	return -EINVAL;
}

/* The file-backed ranges of an NT_FILE note's descriptor. */
static int core_nt_file(const unsigned char *d, uint64_t len, struct core_file_range **out,
			size_t *n)
{
	uint64_t count;

	if (len < 16)
		return -EINVAL;
	memcpy(&count, d, 8);
	if (count > (len - 16) / 24)
		return -EINVAL;
	*out = calloc(count ? count : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (uint64_t i = 0; i < count; i++) {
		memcpy(&(*out)[i].lo, d + 16 + i * 24, 8);
		memcpy(&(*out)[i].hi, d + 16 + i * 24 + 8, 8);
	}
	*n = (size_t)count;
	return 0;
}

/* A core file mapped for reading, and where its errors go. */
struct core_img {
	const char *path;
	const unsigned char *img;
	uint64_t size; /* bytes mapped */
	Elf64_Ehdr eh;
	char *err;
	size_t errlen;
};

/* Map the file whole: a core can be as large as the process was, so it is mapped, not read. */
static int core_map(struct core_img *ci)
{
	struct stat st;
	void *img;
	int fd, rc;

	fd = open(ci->path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		rc = -errno;
		snprintf(ci->err, ci->errlen, "%s: cannot open: %s", ci->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	ci->size = (uint64_t)st.st_size;
	img = ci->size ? mmap(NULL, ci->size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	close(fd);
	if (img == MAP_FAILED) {
		if (!ci->size)
			return core_fail(ci->err, ci->errlen, ci->path, 0,
					 "not an ELF file (empty)");
		snprintf(ci->err, ci->errlen, "%s: cannot map: %s", ci->path, strerror(errno));
		return -EIO;
	}
	ci->img = img;
	return 0;
}

/* The ELF header: a 64-bit little-endian core whose program headers lie in the file. */
static int core_header(struct core_img *ci)
{
	Elf64_Ehdr *eh = &ci->eh;

	if (ci->size < sizeof(*eh) || memcmp(ci->img, ELFMAG, SELFMAG))
		return core_fail(ci->err, ci->errlen, ci->path, 0, "not an ELF file");
	memcpy(eh, ci->img, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return core_fail(ci->err, ci->errlen, ci->path, EI_CLASS,
				 "not a 64-bit little-endian ELF file");
	if (eh->e_type != ET_CORE)
		return core_fail(ci->err, ci->errlen, ci->path, 16,
				 "not a core dump (e_type is not ET_CORE)");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > ci->size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > ci->size - eh->e_phoff)
		return core_fail(ci->err, ci->errlen, ci->path, 32,
				 "program headers outside the file");
	return 0;
}

/* Program header i, checked to lie in the file ("WHAT outside the file" otherwise). */
static int core_phdr(const struct core_img *ci, unsigned int i, const char *what, Elf64_Phdr *ph)
{
	uint64_t at = ci->eh.e_phoff + i * sizeof(*ph);

	memcpy(ph, ci->img + at, sizeof(*ph));
	if (ph->p_offset > ci->size || ph->p_filesz > ci->size - ph->p_offset)
		return core_fail(ci->err, ci->errlen, ci->path, at, what);
	return 0;
}

/* The NT_FILE note in note segment ph, if it has one: the file-backed ranges. */
static int core_note_files(const struct core_img *ci, const Elf64_Phdr *ph,
			   struct core_file_range **files, size_t *nfiles)
{
	uint64_t p = ph->p_offset, end = ph->p_offset + ph->p_filesz;

	while (end - p >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_sz, desc_sz;
		int rc;

		memcpy(&nh, ci->img + p, sizeof(nh));
		name_sz = ((uint64_t)nh.n_namesz + 3) & ~3ULL;
		desc_sz = ((uint64_t)nh.n_descsz + 3) & ~3ULL;
		if (name_sz + desc_sz > end - p - sizeof(nh))
			return core_fail(ci->err, ci->errlen, ci->path, p,
					 "note runs past its segment");
		if (nh.n_type == NT_FILE) {
			rc = core_nt_file(ci->img + p + sizeof(nh) + name_sz, nh.n_descsz, files,
					  nfiles);
			if (rc == -EINVAL)
				core_fail(ci->err, ci->errlen, ci->path, p,
					  "malformed NT_FILE note");
			else if (rc)
				snprintf(ci->err, ci->errlen, "out of memory");
			return rc;
		}
		p += sizeof(nh) + name_sz + desc_sz;
	}
	return 0;
}

/* Pass 1: the file-backed ranges, from the first NT_FILE note of the note segments. */
static int core_files(const struct core_img *ci, struct core_file_range **files, size_t *nfiles)
{
	for (unsigned int i = 0; i < ci->eh.e_phnum && !*files; i++) {
		Elf64_Phdr ph;
		int rc;

		memcpy(&ph, ci->img + ci->eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_NOTE)
			continue;
		if ((rc = core_phdr(ci, i, "note segment outside the file", &ph)) ||
		    (rc = core_note_files(ci, &ph, files, nfiles)))
			return rc;
	}
	return 0;
}

/* Pass 2: every dumped page in range and not file-backed, compressed into s. */
static int core_pages(const struct core_img *ci, const struct core_file_range *files, size_t nfiles,
		      struct mem_compress *c, size_t page_size, const struct mem_range *range,
		      struct mem_snapshot *s)
{
	for (unsigned int i = 0; i < ci->eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint64_t len;
		int rc;

		memcpy(&ph, ci->img + ci->eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		if ((rc = core_phdr(ci, i, "load segment outside the file (a truncated core?)",
				    &ph)))
			return rc;
		len = ph.p_filesz < ph.p_memsz ? ph.p_filesz : ph.p_memsz;
		s->regions++;
		for (uint64_t o = 0; o + page_size <= len; o += page_size) {
			uint64_t addr = ph.p_vaddr + o;
			bool file_backed = false;

			if (range && (addr < range->lo || addr >= range->hi))
				continue;
			for (size_t f = 0; f < nfiles && !file_backed; f++)
				file_backed = addr >= files[f].lo && addr < files[f].hi;
			if (file_backed)
				continue;
			if ((rc = mem_add(s, c, addr, ci->img + ph.p_offset + o))) {
				snprintf(ci->err, ci->errlen, "%s: %s", ci->path,
					 rc == -ENOMEM ? "out of memory" : "compressor failed");
				return rc;
			}
		}
	}
	return 0;
}

int mem_snapshot_core(const char *path, struct mem_compress *c, size_t page_size,
		      const struct mem_range *range, struct mem_snapshot *s, char *err,
		      size_t errlen)
{
	struct core_img ci = {.path = path, .err = err, .errlen = errlen};
	struct core_file_range *files = NULL;
	size_t nfiles = 0;
	int rc;

	if ((rc = core_map(&ci)))
		return rc;
	if (!(rc = core_header(&ci)) && !(rc = core_files(&ci, &files, &nfiles)) &&
	    !(rc = core_pages(&ci, files, nfiles, c, page_size, range, s)) &&
	    s->n) /* qsort(NULL, 0) is undefined */
		qsort(s->pages, s->n, sizeof(*s->pages), mem_page_cmp);
	free(files);
	munmap((void *)ci.img, ci.size);
	return rc;
}
