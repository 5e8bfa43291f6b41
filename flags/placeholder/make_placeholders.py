# Draws courtside's placeholder flags: a grey field with a label in a simple stroke font, so no
# font is needed to render them. Not any organisation's flag.
F = {  # letter -> polylines on a 4 x 6 grid (y down)
 'N': [[(0,6),(0,0),(4,6),(4,0)]],
 'E': [[(4,0),(0,0),(0,6),(4,6)],[(0,3),(3,3)]],
 'U': [[(0,0),(0,5),(1,6),(3,6),(4,5),(4,0)]],
 'T': [[(0,0),(4,0)],[(2,0),(2,6)]],
 'R': [[(0,6),(0,0),(3,0),(4,1),(4,2),(3,3),(0,3)],[(2,3),(4,6)]],
 'A': [[(0,6),(0,2),(2,0),(4,2),(4,6)],[(0,4),(4,4)]],
 'L': [[(0,0),(0,6),(4,6)]],
 'F': [[(4,0),(0,0),(0,6)],[(0,3),(3,3)]],
 'G': [[(4,1),(3,0),(1,0),(0,1),(0,5),(1,6),(3,6),(4,5),(4,3),(2,3)]],
 'P': [[(0,6),(0,0),(3,0),(4,1),(4,2),(3,3),(0,3)]],
 'O': [[(1,0),(3,0),(4,1),(4,5),(3,6),(1,6),(0,5),(0,1),(1,0)]],
 'C': [[(4,1),(3,0),(1,0),(0,1),(0,5),(1,6),(3,6),(4,5)]],
 'I': [[(1,0),(3,0)],[(2,0),(2,6)],[(1,6),(3,6)]],
 'W': [[(0,0),(1,6),(2,3),(3,6),(4,0)]],
 ' ': [],
}
def label(lines, title, name):
    W,H=640,480
    unit=12; gap=2; adv=(4+gap)*unit
    paths=[]
    nlines=len(lines); lh=(6+4)*unit
    top=(H-(nlines*lh-4*unit))/2
    for li,text in enumerate(lines):
        tw=len(text)*adv-gap*unit
        x0=(W-tw)/2; y0=top+li*lh
        for i,ch in enumerate(text):
            for pl in F[ch]:
                d='M'+' L'.join(f'{x0+i*adv+x*unit:g} {y0+y*unit:g}' for x,y in pl)
                paths.append(d)
    svg=f'''<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}">
<!-- courtside placeholder: {title}. Drawn for courtside; NOT an official flag of any organisation. Import the real flag in the flags manager. -->
<title>{title} (placeholder, not an official flag)</title>
<rect width="{W}" height="{H}" fill="#d9d9d9"/>
<rect x="12" y="12" width="{W-24}" height="{H-24}" fill="none" stroke="#8c8c8c" stroke-width="8" stroke-dasharray="32 16"/>
<path d="{' '.join(paths)}" fill="none" stroke="#3a3a3a" stroke-width="12" stroke-linecap="round" stroke-linejoin="round"/>
</svg>
'''
    open(f'{name}.svg','w').write(svg)
label(['NEUTRAL'],'Neutral / independent athletes','neutral')
label(['REFUGEE'],'Refugee team','refugee')
label(['NO FLAG'],'No flag bundled for this code',"noflag")
label(['WT'],'World Taekwondo team (WT refugee team, WT-affiliated athletes)','wt')
