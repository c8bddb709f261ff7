// AVX2 versions of geluSlice and expShiftSum (fastmath.go): the same
// float32 operations in the same order, eight lanes at a time, so results
// are bit-identical to the scalar Go kernels (no FMA). Each constant is
// stored eight times (one YMM load).

#include "textflag.h"

DATA fmk<>+0(SB)/4, $0x3f3504f3
DATA fmk<>+4(SB)/4, $0x3f3504f3
DATA fmk<>+8(SB)/4, $0x3f3504f3
DATA fmk<>+12(SB)/4, $0x3f3504f3
DATA fmk<>+16(SB)/4, $0x3f3504f3
DATA fmk<>+20(SB)/4, $0x3f3504f3
DATA fmk<>+24(SB)/4, $0x3f3504f3
DATA fmk<>+28(SB)/4, $0x3f3504f3
DATA fmk<>+32(SB)/4, $0x7fffffff
DATA fmk<>+36(SB)/4, $0x7fffffff
DATA fmk<>+40(SB)/4, $0x7fffffff
DATA fmk<>+44(SB)/4, $0x7fffffff
DATA fmk<>+48(SB)/4, $0x7fffffff
DATA fmk<>+52(SB)/4, $0x7fffffff
DATA fmk<>+56(SB)/4, $0x7fffffff
DATA fmk<>+60(SB)/4, $0x7fffffff
DATA fmk<>+64(SB)/4, $0x80000000
DATA fmk<>+68(SB)/4, $0x80000000
DATA fmk<>+72(SB)/4, $0x80000000
DATA fmk<>+76(SB)/4, $0x80000000
DATA fmk<>+80(SB)/4, $0x80000000
DATA fmk<>+84(SB)/4, $0x80000000
DATA fmk<>+88(SB)/4, $0x80000000
DATA fmk<>+92(SB)/4, $0x80000000
DATA fmk<>+96(SB)/4, $0x3f800000
DATA fmk<>+100(SB)/4, $0x3f800000
DATA fmk<>+104(SB)/4, $0x3f800000
DATA fmk<>+108(SB)/4, $0x3f800000
DATA fmk<>+112(SB)/4, $0x3f800000
DATA fmk<>+116(SB)/4, $0x3f800000
DATA fmk<>+120(SB)/4, $0x3f800000
DATA fmk<>+124(SB)/4, $0x3f800000
DATA fmk<>+128(SB)/4, $0x3ea7ba05
DATA fmk<>+132(SB)/4, $0x3ea7ba05
DATA fmk<>+136(SB)/4, $0x3ea7ba05
DATA fmk<>+140(SB)/4, $0x3ea7ba05
DATA fmk<>+144(SB)/4, $0x3ea7ba05
DATA fmk<>+148(SB)/4, $0x3ea7ba05
DATA fmk<>+152(SB)/4, $0x3ea7ba05
DATA fmk<>+156(SB)/4, $0x3ea7ba05
DATA fmk<>+160(SB)/4, $0x3fb8aa3b
DATA fmk<>+164(SB)/4, $0x3fb8aa3b
DATA fmk<>+168(SB)/4, $0x3fb8aa3b
DATA fmk<>+172(SB)/4, $0x3fb8aa3b
DATA fmk<>+176(SB)/4, $0x3fb8aa3b
DATA fmk<>+180(SB)/4, $0x3fb8aa3b
DATA fmk<>+184(SB)/4, $0x3fb8aa3b
DATA fmk<>+188(SB)/4, $0x3fb8aa3b
DATA fmk<>+192(SB)/4, $0x4b400000
DATA fmk<>+196(SB)/4, $0x4b400000
DATA fmk<>+200(SB)/4, $0x4b400000
DATA fmk<>+204(SB)/4, $0x4b400000
DATA fmk<>+208(SB)/4, $0x4b400000
DATA fmk<>+212(SB)/4, $0x4b400000
DATA fmk<>+216(SB)/4, $0x4b400000
DATA fmk<>+220(SB)/4, $0x4b400000
DATA fmk<>+224(SB)/4, $0x3f318000
DATA fmk<>+228(SB)/4, $0x3f318000
DATA fmk<>+232(SB)/4, $0x3f318000
DATA fmk<>+236(SB)/4, $0x3f318000
DATA fmk<>+240(SB)/4, $0x3f318000
DATA fmk<>+244(SB)/4, $0x3f318000
DATA fmk<>+248(SB)/4, $0x3f318000
DATA fmk<>+252(SB)/4, $0x3f318000
DATA fmk<>+256(SB)/4, $0xb95e8083
DATA fmk<>+260(SB)/4, $0xb95e8083
DATA fmk<>+264(SB)/4, $0xb95e8083
DATA fmk<>+268(SB)/4, $0xb95e8083
DATA fmk<>+272(SB)/4, $0xb95e8083
DATA fmk<>+276(SB)/4, $0xb95e8083
DATA fmk<>+280(SB)/4, $0xb95e8083
DATA fmk<>+284(SB)/4, $0xb95e8083
DATA fmk<>+288(SB)/4, $0x39506967
DATA fmk<>+292(SB)/4, $0x39506967
DATA fmk<>+296(SB)/4, $0x39506967
DATA fmk<>+300(SB)/4, $0x39506967
DATA fmk<>+304(SB)/4, $0x39506967
DATA fmk<>+308(SB)/4, $0x39506967
DATA fmk<>+312(SB)/4, $0x39506967
DATA fmk<>+316(SB)/4, $0x39506967
DATA fmk<>+320(SB)/4, $0x3ab743ce
DATA fmk<>+324(SB)/4, $0x3ab743ce
DATA fmk<>+328(SB)/4, $0x3ab743ce
DATA fmk<>+332(SB)/4, $0x3ab743ce
DATA fmk<>+336(SB)/4, $0x3ab743ce
DATA fmk<>+340(SB)/4, $0x3ab743ce
DATA fmk<>+344(SB)/4, $0x3ab743ce
DATA fmk<>+348(SB)/4, $0x3ab743ce
DATA fmk<>+352(SB)/4, $0x3c088908
DATA fmk<>+356(SB)/4, $0x3c088908
DATA fmk<>+360(SB)/4, $0x3c088908
DATA fmk<>+364(SB)/4, $0x3c088908
DATA fmk<>+368(SB)/4, $0x3c088908
DATA fmk<>+372(SB)/4, $0x3c088908
DATA fmk<>+376(SB)/4, $0x3c088908
DATA fmk<>+380(SB)/4, $0x3c088908
DATA fmk<>+384(SB)/4, $0x3d2aa9c1
DATA fmk<>+388(SB)/4, $0x3d2aa9c1
DATA fmk<>+392(SB)/4, $0x3d2aa9c1
DATA fmk<>+396(SB)/4, $0x3d2aa9c1
DATA fmk<>+400(SB)/4, $0x3d2aa9c1
DATA fmk<>+404(SB)/4, $0x3d2aa9c1
DATA fmk<>+408(SB)/4, $0x3d2aa9c1
DATA fmk<>+412(SB)/4, $0x3d2aa9c1
DATA fmk<>+416(SB)/4, $0x3e2aaaaa
DATA fmk<>+420(SB)/4, $0x3e2aaaaa
DATA fmk<>+424(SB)/4, $0x3e2aaaaa
DATA fmk<>+428(SB)/4, $0x3e2aaaaa
DATA fmk<>+432(SB)/4, $0x3e2aaaaa
DATA fmk<>+436(SB)/4, $0x3e2aaaaa
DATA fmk<>+440(SB)/4, $0x3e2aaaaa
DATA fmk<>+444(SB)/4, $0x3e2aaaaa
DATA fmk<>+448(SB)/4, $0x3f000000
DATA fmk<>+452(SB)/4, $0x3f000000
DATA fmk<>+456(SB)/4, $0x3f000000
DATA fmk<>+460(SB)/4, $0x3f000000
DATA fmk<>+464(SB)/4, $0x3f000000
DATA fmk<>+468(SB)/4, $0x3f000000
DATA fmk<>+472(SB)/4, $0x3f000000
DATA fmk<>+476(SB)/4, $0x3f000000
DATA fmk<>+480(SB)/4, $0x0000007f
DATA fmk<>+484(SB)/4, $0x0000007f
DATA fmk<>+488(SB)/4, $0x0000007f
DATA fmk<>+492(SB)/4, $0x0000007f
DATA fmk<>+496(SB)/4, $0x0000007f
DATA fmk<>+500(SB)/4, $0x0000007f
DATA fmk<>+504(SB)/4, $0x0000007f
DATA fmk<>+508(SB)/4, $0x0000007f
DATA fmk<>+512(SB)/4, $0xc2aeac4f
DATA fmk<>+516(SB)/4, $0xc2aeac4f
DATA fmk<>+520(SB)/4, $0xc2aeac4f
DATA fmk<>+524(SB)/4, $0xc2aeac4f
DATA fmk<>+528(SB)/4, $0xc2aeac4f
DATA fmk<>+532(SB)/4, $0xc2aeac4f
DATA fmk<>+536(SB)/4, $0xc2aeac4f
DATA fmk<>+540(SB)/4, $0xc2aeac4f
DATA fmk<>+544(SB)/4, $0x42b0c0a5
DATA fmk<>+548(SB)/4, $0x42b0c0a5
DATA fmk<>+552(SB)/4, $0x42b0c0a5
DATA fmk<>+556(SB)/4, $0x42b0c0a5
DATA fmk<>+560(SB)/4, $0x42b0c0a5
DATA fmk<>+564(SB)/4, $0x42b0c0a5
DATA fmk<>+568(SB)/4, $0x42b0c0a5
DATA fmk<>+572(SB)/4, $0x42b0c0a5
DATA fmk<>+576(SB)/4, $0x3e827906
DATA fmk<>+580(SB)/4, $0x3e827906
DATA fmk<>+584(SB)/4, $0x3e827906
DATA fmk<>+588(SB)/4, $0x3e827906
DATA fmk<>+592(SB)/4, $0x3e827906
DATA fmk<>+596(SB)/4, $0x3e827906
DATA fmk<>+600(SB)/4, $0x3e827906
DATA fmk<>+604(SB)/4, $0x3e827906
DATA fmk<>+608(SB)/4, $0xbe91a98e
DATA fmk<>+612(SB)/4, $0xbe91a98e
DATA fmk<>+616(SB)/4, $0xbe91a98e
DATA fmk<>+620(SB)/4, $0xbe91a98e
DATA fmk<>+624(SB)/4, $0xbe91a98e
DATA fmk<>+628(SB)/4, $0xbe91a98e
DATA fmk<>+632(SB)/4, $0xbe91a98e
DATA fmk<>+636(SB)/4, $0xbe91a98e
DATA fmk<>+640(SB)/4, $0x3fb5f0e3
DATA fmk<>+644(SB)/4, $0x3fb5f0e3
DATA fmk<>+648(SB)/4, $0x3fb5f0e3
DATA fmk<>+652(SB)/4, $0x3fb5f0e3
DATA fmk<>+656(SB)/4, $0x3fb5f0e3
DATA fmk<>+660(SB)/4, $0x3fb5f0e3
DATA fmk<>+664(SB)/4, $0x3fb5f0e3
DATA fmk<>+668(SB)/4, $0x3fb5f0e3
DATA fmk<>+672(SB)/4, $0xbfba00e3
DATA fmk<>+676(SB)/4, $0xbfba00e3
DATA fmk<>+680(SB)/4, $0xbfba00e3
DATA fmk<>+684(SB)/4, $0xbfba00e3
DATA fmk<>+688(SB)/4, $0xbfba00e3
DATA fmk<>+692(SB)/4, $0xbfba00e3
DATA fmk<>+696(SB)/4, $0xbfba00e3
DATA fmk<>+700(SB)/4, $0xbfba00e3
DATA fmk<>+704(SB)/4, $0x3f87dc22
DATA fmk<>+708(SB)/4, $0x3f87dc22
DATA fmk<>+712(SB)/4, $0x3f87dc22
DATA fmk<>+716(SB)/4, $0x3f87dc22
DATA fmk<>+720(SB)/4, $0x3f87dc22
DATA fmk<>+724(SB)/4, $0x3f87dc22
DATA fmk<>+728(SB)/4, $0x3f87dc22
DATA fmk<>+732(SB)/4, $0x3f87dc22
DATA fmk<>+736(SB)/4, $0x3f000000
DATA fmk<>+740(SB)/4, $0x3f000000
DATA fmk<>+744(SB)/4, $0x3f000000
DATA fmk<>+748(SB)/4, $0x3f000000
DATA fmk<>+752(SB)/4, $0x3f000000
DATA fmk<>+756(SB)/4, $0x3f000000
DATA fmk<>+760(SB)/4, $0x3f000000
DATA fmk<>+764(SB)/4, $0x3f000000
DATA fmk<>+768(SB)/4, $0x40000000
DATA fmk<>+772(SB)/4, $0x40000000
DATA fmk<>+776(SB)/4, $0x40000000
DATA fmk<>+780(SB)/4, $0x40000000
DATA fmk<>+784(SB)/4, $0x40000000
DATA fmk<>+788(SB)/4, $0x40000000
DATA fmk<>+792(SB)/4, $0x40000000
DATA fmk<>+796(SB)/4, $0x40000000
DATA fmk<>+800(SB)/4, $0x3ecc422a
DATA fmk<>+804(SB)/4, $0x3ecc422a
DATA fmk<>+808(SB)/4, $0x3ecc422a
DATA fmk<>+812(SB)/4, $0x3ecc422a
DATA fmk<>+816(SB)/4, $0x3ecc422a
DATA fmk<>+820(SB)/4, $0x3ecc422a
DATA fmk<>+824(SB)/4, $0x3ecc422a
DATA fmk<>+828(SB)/4, $0x3ecc422a
DATA fmk<>+832(SB)/4, $0x7f800000
DATA fmk<>+836(SB)/4, $0x7f800000
DATA fmk<>+840(SB)/4, $0x7f800000
DATA fmk<>+844(SB)/4, $0x7f800000
DATA fmk<>+848(SB)/4, $0x7f800000
DATA fmk<>+852(SB)/4, $0x7f800000
DATA fmk<>+856(SB)/4, $0x7f800000
DATA fmk<>+860(SB)/4, $0x7f800000
GLOBL fmk<>(SB), RODATA|NOPTR, $864

// func geluAVX2(dst, src, dy *float32, n int)
TEXT ·geluAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ dy+16(FP), DX
	MOVQ n+24(FP), CX
	XORQ AX, AX
gelu_loop:
	CMPQ AX, CX
	JGE gelu_done
	VMOVUPS (SI)(AX*4), Y0
	VMULPS fmk<>+0(SB), Y0, Y1
	VANDPS fmk<>+32(SB), Y1, Y2
	VPSRLD $31, Y1, Y3
	VCVTDQ2PS Y3, Y3
	VMOVUPS fmk<>+96(SB), Y4
	VSUBPS Y3, Y4, Y3
	VMULPS fmk<>+128(SB), Y2, Y2
	VADDPS fmk<>+96(SB), Y2, Y2
	VDIVPS Y2, Y4, Y2
	VXORPS fmk<>+64(SB), Y1, Y5
	VMULPS Y1, Y5, Y5
	VMULPS fmk<>+160(SB), Y5, Y7
	VADDPS fmk<>+192(SB), Y7, Y7
	VPSUBD fmk<>+192(SB), Y7, Y8
	VSUBPS fmk<>+192(SB), Y7, Y7
	VMULPS fmk<>+224(SB), Y7, Y9
	VSUBPS Y9, Y5, Y9
	VMULPS fmk<>+256(SB), Y7, Y7
	VSUBPS Y7, Y9, Y9
	VMULPS fmk<>+288(SB), Y9, Y6
	VADDPS fmk<>+320(SB), Y6, Y6
	VMULPS Y9, Y6, Y6
	VADDPS fmk<>+352(SB), Y6, Y6
	VMULPS Y9, Y6, Y6
	VADDPS fmk<>+384(SB), Y6, Y6
	VMULPS Y9, Y6, Y6
	VADDPS fmk<>+416(SB), Y6, Y6
	VMULPS Y9, Y6, Y6
	VADDPS fmk<>+448(SB), Y6, Y6
	VMULPS Y9, Y6, Y6
	VMULPS Y9, Y6, Y6
	VADDPS Y9, Y6, Y6
	VADDPS fmk<>+96(SB), Y6, Y6
	VPADDD fmk<>+480(SB), Y8, Y8
	VPSLLD $23, Y8, Y8
	VMULPS Y8, Y6, Y6
	VCMPPS $13, fmk<>+512(SB), Y5, Y7
	VANDPS Y7, Y6, Y6
	VMULPS fmk<>+704(SB), Y2, Y7
	VADDPS fmk<>+672(SB), Y7, Y7
	VMULPS Y2, Y7, Y7
	VADDPS fmk<>+640(SB), Y7, Y7
	VMULPS Y2, Y7, Y7
	VADDPS fmk<>+608(SB), Y7, Y7
	VMULPS Y2, Y7, Y7
	VADDPS fmk<>+576(SB), Y7, Y7
	VMULPS fmk<>+736(SB), Y7, Y7
	VMULPS Y2, Y7, Y7
	VMULPS Y6, Y7, Y7
	VMULPS fmk<>+768(SB), Y7, Y8
	VSUBPS Y8, Y4, Y8
	VMULPS Y8, Y3, Y8
	VADDPS Y8, Y7, Y7
	TESTQ DX, DX
	JNZ gelu_grad
	VMULPS Y7, Y0, Y7
	VMOVUPS Y7, (DI)(AX*4)
	ADDQ $8, AX
	JMP gelu_loop
gelu_grad:
	VMULPS fmk<>+800(SB), Y0, Y8
	VMULPS Y6, Y8, Y8
	VADDPS Y8, Y7, Y7
	VMOVUPS (DX)(AX*4), Y9
	VMULPS Y9, Y7, Y7
	VMOVUPS Y7, (DI)(AX*4)
	ADDQ $8, AX
	JMP gelu_loop
gelu_done:
	VZEROUPPER
	RET

// func expShiftAVX2(dst, src *float32, n int, shift float32)
TEXT ·expShiftAVX2(SB), NOSPLIT, $0-28
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS shift+24(FP), Y10
	XORQ AX, AX
exp_loop:
	CMPQ AX, CX
	JGE exp_done
	VMOVUPS (SI)(AX*4), Y5
	VSUBPS Y10, Y5, Y5
	VMULPS fmk<>+160(SB), Y5, Y7
	VADDPS fmk<>+192(SB), Y7, Y7
	VPSUBD fmk<>+192(SB), Y7, Y8
	VSUBPS fmk<>+192(SB), Y7, Y7
	VMULPS fmk<>+224(SB), Y7, Y9
	VSUBPS Y9, Y5, Y9
	VMULPS fmk<>+256(SB), Y7, Y7
	VSUBPS Y7, Y9, Y9
	VMULPS fmk<>+288(SB), Y9, Y6
	VADDPS fmk<>+320(SB), Y6, Y6
	VMULPS Y9, Y6, Y6
	VADDPS fmk<>+352(SB), Y6, Y6
	VMULPS Y9, Y6, Y6
	VADDPS fmk<>+384(SB), Y6, Y6
	VMULPS Y9, Y6, Y6
	VADDPS fmk<>+416(SB), Y6, Y6
	VMULPS Y9, Y6, Y6
	VADDPS fmk<>+448(SB), Y6, Y6
	VMULPS Y9, Y6, Y6
	VMULPS Y9, Y6, Y6
	VADDPS Y9, Y6, Y6
	VADDPS fmk<>+96(SB), Y6, Y6
	VPADDD fmk<>+480(SB), Y8, Y8
	VPSLLD $23, Y8, Y8
	VMULPS Y8, Y6, Y6
	VCMPPS $5, fmk<>+512(SB), Y5, Y7
	VANDPS Y7, Y6, Y6
	VCMPPS $14, fmk<>+544(SB), Y5, Y7
	VBLENDVPS Y7, fmk<>+832(SB), Y6, Y6
	VMOVUPS Y6, (DI)(AX*4)
	ADDQ $8, AX
	JMP exp_loop
exp_done:
	VZEROUPPER
	RET

